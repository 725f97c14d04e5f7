"""The execution input contract: one strict pydantic model per action.

`None` in a field means "use the stack default"; defaults are applied by `plan.build_plan`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    StrictBool,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from cutover.shifter.contract import Side
from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.errors import InvalidInput

# Image references: [registry[:port]/]repository, then a tag, a digest or both
# (registry/repository[:tag][@sha256:digest], the forms ECS accepts for a container's `image`).
_REPOSITORY: Final = r"(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._/-][a-z0-9]+)*"
_TAG_NAME: Final = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_TAG: Final = rf":{_TAG_NAME}"
_DIGEST: Final = r"@sha256:[a-f0-9]{64}"
# Every form ECS accepts, a bare repository included (ECS pulls its `latest`): the stack's first
# image (`image` context key, cutover/config.py), which the operator chose when creating the stack.
ECS_IMAGE_REFERENCE: Final = re.compile(rf"^{_REPOSITORY}(?:{_TAG})?(?:{_DIGEST})?$")
# What a deployment accepts: the same with a tag, a digest or both. A bare repository would deploy
# whatever `latest` is at the time ECS pulls, which is not a reproducible deployment.
IMAGE_REFERENCE: Final = re.compile(rf"^{_REPOSITORY}(?:{_TAG}(?:{_DIGEST})?|{_DIGEST})$")
IMAGE_TAG: Final = re.compile(rf"^{_TAG_NAME}$")  # a tag alone (a pipeline's `tag`, cutover/config.py)

StrategyName = Literal["canary", "linear", "all-at-once"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
# Strict: a weight of 10.5 or `true` is a mistake, not something to round or coerce.
Seconds = Annotated[int, Field(strict=True, ge=0, le=86_400)]
Percent = Annotated[int, Field(strict=True, ge=1, le=99)]
# CodeDeploy keeps the old side up to 2,880 minutes: a termination wait may be as long.
TerminationWaitSeconds = Annotated[int, Field(strict=True, ge=0, le=172_800)]


class FieldError(ValueError):
    """Raised inside validators to name a location below the field being validated."""

    def __init__(self, location: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.location = location


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_image(value: str) -> str:
    if not IMAGE_REFERENCE.fullmatch(value):  # fullmatch: `$` would let a trailing newline through
        raise ValueError(f"not an image reference with a tag or digest (registry/repository:tag[@sha256:…]): {value!r}")
    return value


_URL_PATH = re.compile(r"/[\x21-\x7e]*")  # printable ASCII, no spaces
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 token
_ECHO_LIMIT = 80  # characters of a rejected value repeated in a message

ImageReference = Annotated[str, Field(max_length=512), AfterValidator(_check_image)]


# The plan travels in the state of every step, and a bake's Parallel holds two copies of it:
# Step Functions fails a state over 256 KiB (States.DataLimitExceeded, service quotas). These
# bounds keep the largest accepted deployment's state well under it
# (tests/workflow/test_long_deployments.py measures it).
SMOKE_TEST_JSON_BYTES: Final = 4_096  # a body or expect_json, as JSON
SMOKE_TESTS_JSON_BYTES: Final = 32_768  # all of a deployment's smoke tests, as JSON


def _json_bytes(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


class SmokeTest(_Input):
    path: str = Field(max_length=1024)
    method: HttpMethod = "GET"
    headers: dict[str, str] = Field(default_factory=dict, max_length=10)
    body: JsonValue = None  # a string is sent as is; an object or a list as JSON
    expect_status: int = Field(default=200, strict=True, ge=100, le=599)
    expect_json: JsonValue = None  # subset match, see smoke.json_subset_mismatch
    max_latency_ms: int = Field(default=500, strict=True, ge=1, le=60_000)

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        if not _URL_PATH.fullmatch(value):
            raise ValueError("spaces and control characters must be percent-encoded")
        return value

    @field_validator("headers")
    @classmethod
    def _header_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for name, content in value.items():
            if not _HEADER_NAME.fullmatch(name):
                raise FieldError((name,), "not a valid header name")
            if any(ord(character) < 32 and character != "\t" for character in content):
                raise FieldError((name,), "header values cannot contain control characters (CR, LF, …)")
            if len(name) + len(content) > 1_024:
                raise FieldError((name,), "a header may have at most 1,024 characters")
        return value

    @field_validator("body")
    @classmethod
    def _body_shape(cls, value: JsonValue) -> JsonValue:
        if value is not None and not isinstance(value, str | dict | list):
            raise ValueError("expected a string, an object, a list or null")
        return value

    @field_validator("body", "expect_json")
    @classmethod
    def _small(cls, value: JsonValue) -> JsonValue:
        size = _json_bytes(value)
        if size > SMOKE_TEST_JSON_BYTES:
            raise ValueError(f"{size:,} bytes as JSON, over the {SMOKE_TEST_JSON_BYTES:,} a smoke test may carry")
        return value


class Step(_Input):
    weight: int = Field(strict=True, ge=1, le=100)
    bake_seconds: Seconds | None = None
    pause: bool = Field(default=False, strict=True)

    @model_validator(mode="after")
    def _pause_has_no_bake(self) -> Step:
        if self.pause and self.bake_seconds is not None:
            raise FieldError(("bake_seconds",), "a pause step waits for promote, it cannot also set bake_seconds")
        return self


class StepsStrategy(_Input):
    steps: list[Step] = Field(min_length=1, max_length=50)

    @field_validator("steps")
    @classmethod
    def _weights_climb_to_100(cls, steps: list[Step]) -> list[Step]:
        for index in range(1, len(steps)):
            previous, current = steps[index - 1].weight, steps[index].weight
            if current <= previous:
                raise FieldError((index, "weight"), f"weights must increase strictly (got {current} after {previous})")
        last = len(steps) - 1
        if steps[last].weight != 100:
            raise FieldError((last, "weight"), f"the last step must send 100 % (got {steps[last].weight})")
        return steps


HOOK_STAGES: Final = ("before_traffic", "after_traffic", "on_step", "on_rollback")


class HookSwitches(_Input):
    """Which of the stack's configured hook stages this deployment runs (all by default).
    The state machine and its IAM are fixed at synth time: a deployment can skip configured
    hooks, never add one."""

    before_traffic: StrictBool = True
    after_traffic: StrictBool = True
    on_step: StrictBool = True
    on_rollback: StrictBool = True

    @model_validator(mode="before")
    @classmethod
    def _known_stages(cls, values: Any) -> Any:
        if isinstance(values, HookSwitches):
            return values
        if not isinstance(values, dict):
            raise ValueError('expected an object of true/false per stage, e.g. {"on_step": false}')
        unknown = sorted(str(key) for key in values if key not in HOOK_STAGES)
        if unknown:
            raise FieldError((unknown[0],), f"unknown hook stage (known: {', '.join(HOOK_STAGES)})")
        return values

    def skipped(self) -> tuple[str, ...]:
        return tuple(stage for stage in HOOK_STAGES if not getattr(self, stage))


def _strategy_kind(value: Any) -> str:
    return "<steps>" if isinstance(value, dict | StepsStrategy) else "<name>"


# The tags only route validation; `format_validation_error` drops `<…>` segments from paths.
Strategy = Annotated[
    Annotated[StrategyName, Tag("<name>")] | Annotated[StepsStrategy, Tag("<steps>")],
    Discriminator(_strategy_kind),
]


class DeployInput(_Input):
    action: Literal["deploy"] = "deploy"
    image: ImageReference
    strategy: Strategy | None = None
    canary_weight: Percent | None = None
    linear_step: Percent | None = None
    bake_seconds: Seconds | None = None
    smoke_tests: list[SmokeTest] | None = Field(default=None, max_length=20)  # [] means "no smoke tests"
    termination_wait_seconds: TerminationWaitSeconds | None = None
    reason: str | None = Field(default=None, max_length=1000)
    hooks: HookSwitches = Field(default_factory=HookSwitches)
    # The judge (docs/analysis.md), merged over the stack's `analysis`: the fields set here win.
    analysis: JudgeConfig | None = None

    @field_validator("smoke_tests")
    @classmethod
    def _smoke_tests_fit_the_state(cls, value: list[SmokeTest] | None) -> list[SmokeTest] | None:
        size = _json_bytes([test.model_dump(mode="json") for test in value or []])
        if size > SMOKE_TESTS_JSON_BYTES:
            raise ValueError(
                f"{size:,} bytes as JSON in all, over the {SMOKE_TESTS_JSON_BYTES:,} a deployment may carry"
            )
        return value


class ImageDetailInput(BaseModel):
    """imageDetail.json, the output artifact of CodePipeline's ECR source action.

    Unknown fields are ignored, here only: the file is AWS's, and a field AWS adds to it
    (CodePipeline "Image definitions file reference" lists today's) must not fail every
    pipeline deployment. A field of Cutover's own inputs is still refused: mixing the two
    shapes is a mistake, and ignoring `action` would turn a switch into a deploy.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    ImageURI: ImageReference
    ImageSizeInBytes: str | int | None = None
    ImagePushedAt: str | None = None
    ImageTags: list[str] = Field(default_factory=list)
    RegistryId: str | None = None
    RepositoryName: str | None = None
    ImageDigest: str | None = None
    Version: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _not_a_cutover_input(cls, values: Any) -> Any:
        if isinstance(values, dict):
            ours = sorted(set(values) & _CUTOVER_FIELDS)
            if ours:
                raise FieldError((ours[0],), "unknown field (an imageDetail.json takes no Cutover input field)")
        return values

    def to_deploy(self) -> DeployInput:
        repository, reference = _split_image(self.ImageURI)
        label = self.ImageTags[0] if self.ImageTags else (self.ImageDigest or reference)
        return DeployInput(image=self.ImageURI, reason=f"CodePipeline: {self.RepositoryName or repository}:{label}")


def _split_image(image: str) -> tuple[str, str]:
    """(repository without registry, tag or digest) of a valid image reference."""
    name, at, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = name[colon + 1 :] if colon > slash else ""
    if tag:
        name = name[:colon]
    registry, _, repository = name.partition("/")
    if not repository or not ("." in registry or ":" in registry or registry == "localhost"):
        repository = name
    return repository, tag or (digest if at else "")


# Manual actions (switch, rollback, promote, abort, repair) register their model here.
class SwitchInput(_Input):
    """100 % to one side now, after checking its health (and smoke tests unless forced)."""

    action: Literal["switch"]
    to: Side
    force: StrictBool = False
    reason: str | None = Field(default=None, max_length=1000)


class RollbackInput(_Input):
    """Abort the running deployment, or go back to the side live before the last success."""

    action: Literal["rollback"]
    reason: str | None = Field(default=None, max_length=1000)


class PromoteInput(_Input):
    """The running deployment skips its remaining bakes and pauses and goes to 100 %."""

    action: Literal["promote"]
    reason: str | None = Field(default=None, max_length=1000)


class AbortInput(_Input):
    """The running deployment rolls back now."""

    action: Literal["abort"]
    reason: str | None = Field(default=None, max_length=1000)


class RepairInput(_Input):
    """After RollbackIncomplete: 100 % on a healthy side, and clear the quarantined lock."""

    action: Literal["repair"]
    reason: str | None = Field(default=None, max_length=1000)


# One model per action, told apart by `action` (pydantic's discriminated union: the document is
# validated against its action's model only, and an unknown action is named as such).
ExecutionInput = Annotated[
    DeployInput | SwitchInput | RollbackInput | PromoteInput | AbortInput | RepairInput,
    Field(discriminator="action"),
]
EXECUTION_INPUT: Final[TypeAdapter[ExecutionInput]] = TypeAdapter(ExecutionInput)
DEFAULT_ACTION: Final = "deploy"  # an input without `action` is a deployment
# action → its model, read from the union (each model's `action` is a one-value Literal).
ACTION_MODELS: Final[Mapping[str, type[BaseModel]]] = {
    get_args(model.model_fields["action"].annotation)[0]: model for model in get_args(get_args(ExecutionInput)[0])
}


_CUTOVER_FIELDS: Final = frozenset(field for model in ACTION_MODELS.values() for field in model.model_fields)
# CodePipeline's imageDetail.json fields: any of them without a Cutover field means the
# document is one, so a missing ImageURI is named as such (not as a deploy with unknown fields).
_IMAGE_DETAIL_FIELDS: Final = frozenset(ImageDetailInput.model_fields)


def _is_image_detail(document: Mapping[str, Any]) -> bool:
    keys = set(document)
    return "ImageURI" in keys or bool(keys & _IMAGE_DETAIL_FIELDS and not keys & _CUTOVER_FIELDS)


def parse_execution_input(raw: object) -> ExecutionInput:
    """The validated input an execution was started with (a dict, or the same as JSON text)."""
    document = _as_object(raw)
    if _is_image_detail(document):
        try:
            return ImageDetailInput.model_validate(document).to_deploy()
        except ValidationError as error:
            raise InvalidInput(format_validation_error(error)) from None
    try:
        return EXECUTION_INPUT.validate_python({"action": DEFAULT_ACTION} | document)
    except ValidationError as error:
        raise InvalidInput(format_validation_error(error, tagged_by="action")) from None


def _as_object(raw: object) -> dict[str, Any]:
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidInput("input: expected a JSON object") from None
    if not isinstance(raw, dict):
        raise InvalidInput("input: expected a JSON object")
    return raw


_MESSAGES: Final = {"extra_forbidden": "unknown field", "missing": "required field"}


def format_validation_error(error: ValidationError, *, tagged_by: str | None = None) -> str:
    """One line, `path.to[0].field: what is wrong`, for the most telling of the errors.

    `tagged_by`: the discriminator of a union validated at the root, whose tag pydantic puts
    first in every location (`switch.to`); the message names the field as the input has it."""
    errors = error.errors()
    # An unknown field is often a misspelt one, so it explains a "required field" error too.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    if first["type"] == "union_tag_invalid" and tagged_by is not None:
        return f"{tagged_by}: {_unknown_tag(first, tagged_by)}"
    location, message = list(first["loc"]), _message(first)
    if tagged_by is not None and location:
        location.pop(0)
    if message == _TOO_DEEP:  # name the field, not the thousand indexes below it
        while location and (isinstance(location[-1], int) or location[-1] in _JSON_VALUE_TAGS):
            location.pop()
    nested = first.get("ctx", {}).get("error")
    if isinstance(nested, FieldError):
        location.extend(nested.location)
    return f"{_path(location)}: {message}"


def _unknown_tag(error: ErrorDetails, tagged_by: str) -> str:
    """`unknown action 'x' (expected one of: deploy, switch, …)`: the value as the input has it
    (pydantic's own message shows it as text, so 5 and '5' would read the same)."""
    document = error["input"]
    tag = document.get(tagged_by) if isinstance(document, dict) else None
    expected = str(error.get("ctx", {}).get("expected_tags", "")).replace("'", "")
    return f"unknown {tagged_by} {shorten(repr(tag))} (expected one of: {expected})"


def _message(error: ErrorDetails) -> str:
    if error["type"] in {"int_type", "bool_type"}:
        kind = "an integer" if error["type"] == "int_type" else "true or false"
        return f"expected {kind}, got {_as_json(error['input'])}"
    if error["type"] == "recursion_loop" or error["msg"].startswith("Recursion error"):
        return _TOO_DEEP
    return shorten(_MESSAGES.get(error["type"], error["msg"].removeprefix("Value error, ")))


def _as_json(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return shorten(text)


def shorten(text: str) -> str:
    """A rejected value as a message repeats it: never the whole of a huge one."""
    return text if len(text) <= _ECHO_LIMIT else f"{text[:_ECHO_LIMIT]}… ({len(text)} characters)"


_JSON_VALUE_TAGS = {"list", "dict", "str", "int", "float", "bool"}
_TOO_DEEP = "nested too deeply"


def _path(location: list[str | int]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _JSON_VALUE_TAGS:
            continue  # pydantic's own tags for the branches of a JSON value, not a field
        elif not (part.startswith("<") and part.endswith(">")):
            path += f".{part}" if path else part
    return path or "input"
