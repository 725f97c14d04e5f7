"""The Lambda environment, parsed once at cold start (set by stacks/traffic_shifter.py)."""

from __future__ import annotations

import json
import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shifter.logic.plan import Defaults


class ShifterEnvironment(BaseModel):
    model_config = ConfigDict(frozen=True)

    service_name: str = Field(alias="CUTOVER_SERVICE")
    cluster: str = Field(alias="CUTOVER_CLUSTER")
    listener_arn: str = Field(alias="CUTOVER_LISTENER_ARN")
    table_name: str = Field(alias="CUTOVER_TABLE")
    topic_arn: str = Field(alias="CUTOVER_TOPIC_ARN")
    live_state_prefix: str = Field(alias="CUTOVER_LIVE_STATE_PREFIX")
    services: dict[str, str] = Field(alias="CUTOVER_SERVICES")  # side → ECS service name
    target_groups: dict[str, str] = Field(alias="CUTOVER_TARGET_GROUPS")  # side → target group ARN
    template_task_definitions: dict[str, str] = Field(alias="CUTOVER_TEMPLATE_TASK_DEFINITIONS")
    side_alarms: dict[str, list[str]] = Field(alias="CUTOVER_SIDE_ALARMS")
    global_alarms: list[str] = Field(alias="CUTOVER_GLOBAL_ALARMS")
    container_name: str = Field(alias="CUTOVER_CONTAINER_NAME")
    # Repository ARNs the task execution role may pull (stacks/image_pull.py).
    ecr_repositories: list[str] = Field(alias="CUTOVER_ECR_REPOSITORIES")
    base_url: str = Field(alias="CUTOVER_BASE_URL")  # where smoke tests reach the test route
    test_token_secret_arn: str | None = Field(default=None, alias="CUTOVER_TEST_TOKEN_SECRET_ARN")
    stickiness_seconds: int | None = Field(default=None, alias="CUTOVER_STICKINESS_SECONDS")
    autoscaling: bool = Field(alias="CUTOVER_AUTOSCALING")
    defaults: Defaults = Field(alias="CUTOVER_DEFAULTS")
    # How many on_step hooks run at every step: they count in the history estimate (logic/quotas.py).
    on_step_hooks: int = Field(default=0, ge=0, alias="CUTOVER_ON_STEP_HOOKS")
    # How many on_rollback hooks a rollback may run: they count in the history estimate too.
    on_rollback_hooks: int = Field(default=0, ge=0, alias="CUTOVER_ON_ROLLBACK_HOOKS")

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
    return ShifterEnvironment.model_validate({k: v for k, v in os.environ.items() if k.startswith("CUTOVER_")})
