"""The Lambda environment: written by the stack from this model (cutover/cdk/shifter_functions.py,
`variables`), parsed once at cold start by the same model (`environment`). The names are
`cutover.shifter.contract.Env`."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cutover.shifter.contract import ENV_PREFIX, Env
from cutover.shifter.logic.plan import Defaults


class ShifterEnvironment(BaseModel):
    # By field name too: the stack builds it by name and writes it by alias.
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    service_name: str = Field(alias=Env.SERVICE)
    cluster: str = Field(alias=Env.CLUSTER)
    listener_arn: str = Field(alias=Env.LISTENER_ARN)
    table_name: str = Field(alias=Env.TABLE)
    topic_arn: str = Field(alias=Env.TOPIC_ARN)
    live_state_prefix: str = Field(alias=Env.LIVE_STATE_PREFIX)
    services: dict[str, str] = Field(alias=Env.SERVICES)  # side → ECS service name
    target_groups: dict[str, str] = Field(alias=Env.TARGET_GROUPS)  # side → target group ARN
    template_task_definitions: dict[str, str] = Field(alias=Env.TEMPLATE_TASK_DEFINITIONS)
    side_alarms: dict[str, list[str]] = Field(alias=Env.SIDE_ALARMS)
    global_alarms: list[str] = Field(alias=Env.GLOBAL_ALARMS)
    container_name: str = Field(alias=Env.CONTAINER_NAME)
    # Repository ARNs the task execution role may pull (cutover/cdk/image_pull.py).
    ecr_repositories: list[str] = Field(alias=Env.ECR_REPOSITORIES)
    base_url: str = Field(alias=Env.BASE_URL)  # where smoke tests reach the test route
    test_token_secret_arn: str | None = Field(default=None, alias=Env.TEST_TOKEN_SECRET_ARN)
    stickiness_seconds: int | None = Field(default=None, alias=Env.STICKINESS_SECONDS)
    autoscaling: bool = Field(alias=Env.AUTOSCALING)
    defaults: Defaults = Field(alias=Env.DEFAULTS)
    # How many on_step hooks run at every step: they count in the history estimate (logic/quotas.py).
    on_step_hooks: int = Field(default=0, ge=0, alias=Env.ON_STEP_HOOKS)
    # How many on_rollback hooks a rollback may run: they count in the history estimate too.
    on_rollback_hooks: int = Field(default=0, ge=0, alias=Env.ON_ROLLBACK_HOOKS)

    @field_validator(
        "services",
        "target_groups",
        "template_task_definitions",
        "side_alarms",
        "global_alarms",
        "ecr_repositories",
        "defaults",
        mode="before",
    )
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("test_token_secret_arn", "stickiness_seconds", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


@cache
def environment() -> ShifterEnvironment:
    """Fails loudly, naming the variable, when the function is misconfigured."""
    return ShifterEnvironment.model_validate({k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)})


def _compact_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def variables(env: ShifterEnvironment, *, to_json: Callable[[object], str] = _compact_json) -> dict[str, str]:
    """The environment as Lambda holds it, every value a string: what `environment()` parses back.

    Only the fields set when `env` was built (exclude_unset, nested too): the stack's judge
    travels as the context set it, since the environment holds 4 KB in all (cutover/config.py).
    `to_json` lets the stack encode values that hold CDK tokens."""
    dumped = env.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return {str(name): _text(value, to_json) for name, value in dumped.items()}


def _text(value: object, to_json: Callable[[object], str]) -> str:
    if value is None:
        return ""  # `_empty_is_none` reads it back as None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    return to_json(value)
