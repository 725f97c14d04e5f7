"""Typed, frozen configuration built once from CDK context.

Every key is documented in README.md ("Configuration"); a key's default lives here
and nowhere else. Values from `-c key=value` arrive as strings: numbers and booleans
are coerced, lists accept JSON or comma-separated text, maps accept JSON.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from stacks.example_service import (
    ASSET_IMAGE,
    CONTAINER_PORT,
    HEALTH_CHECK_INTERVAL_SECONDS,
    HEALTHCHECK_COMMAND,
    TARGET_GROUP_HEALTH_PATH,
    UNHEALTHY_THRESHOLD,
    drain_timings,
)

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{1,24}[a-z0-9]$")
# registry/repository[:tag][@sha256:digest] — the forms ECS accepts for `image`.
IMAGE_REFERENCE = re.compile(
    r"^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._/-][a-z0-9]+)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:\d{12}:(parameter/|secret:).+$")
CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Fargate's valid cpu → memory (MiB) combinations for the sizes Cutover offers.
FARGATE_MEMORY: dict[int, range] = {
    256: range(512, 2049, 512),
    512: range(1024, 4097, 1024),
    1024: range(2048, 8193, 1024),
    2048: range(4096, 16385, 1024),
    4096: range(8192, 30721, 1024),
}


class ConfigError(ValueError):
    """One clear line naming the offending context key."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class AutoscalingConfig(_Frozen):
    min: int = Field(ge=1, le=100)
    max: int = Field(ge=1, le=100)
    cpu_target_percent: int | None = Field(default=None, ge=10, le=90)
    requests_per_target: int | None = Field(default=None, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one_target(self) -> AutoscalingConfig:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must be >= min ({self.min})")
        if (self.cpu_target_percent is None) == (self.requests_per_target is None):
            raise ValueError("set exactly one of cpu_target_percent or requests_per_target")
        return self


class ExistingVpcConfig(_Frozen):
    vpc_id: str = Field(pattern=r"^vpc-[0-9a-f]{8,17}$")
    availability_zones: tuple[str, ...] = Field(min_length=2)
    public_subnet_ids: tuple[str, ...] = Field(min_length=2)
    private_subnet_ids: tuple[str, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _one_subnet_per_az(self) -> ExistingVpcConfig:
        for kind in ("public_subnet_ids", "private_subnet_ids"):
            subnets = getattr(self, kind)
            if len(subnets) != len(self.availability_zones):
                raise ValueError(f"{kind} needs one subnet per availability zone")
            if any(not re.match(r"^subnet-[0-9a-f]{8,17}$", s) for s in subnets):
                raise ValueError(f"{kind} must be subnet ids (subnet-…)")
        return self


class DomainConfig(_Frozen):
    domain_name: str = Field(max_length=253, pattern=r"^([a-z0-9-]+\.)+[a-z]{2,}$")
    hosted_zone_id: str = Field(pattern=r"^Z[A-Z0-9]{1,31}$")
    hosted_zone_name: str = Field(pattern=r"^([a-z0-9-]+\.)+[a-z]{2,}\.?$")

    @model_validator(mode="after")
    def _inside_zone(self) -> DomainConfig:
        zone = self.hosted_zone_name.rstrip(".")
        if not (self.domain_name == zone or self.domain_name.endswith("." + zone)):
            raise ValueError(f"domain_name {self.domain_name} is not inside hosted zone {zone}")
        return self


LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$")


class HooksConfig(_Frozen):
    """User Lambdas called with the deployment's context; a failure rolls the deployment back."""

    before_traffic: tuple[str, ...] = ()  # after health checks and smoke tests, before any weight moves
    after_traffic: tuple[str, ...] = ()  # after 100 %, before the final wait
    timeout_seconds: int = Field(default=300, ge=1, le=900)

    @field_validator("before_traffic", "after_traffic")
    @classmethod
    def _arns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [arn for arn in value if not LAMBDA_ARN.match(arn)]
        if bad:
            raise ValueError(f"not Lambda function ARNs: {', '.join(bad)}")
        if len(value) > 10:
            raise ValueError("at most 10 hooks per stage")
        return value


# ECR's rules for a repository name (2-256 characters, optional namespaces) and for an image tag.
ECR_REPOSITORY_NAME = re.compile(r"^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


class PipelineConfig(_Frozen):
    """Context key `pipeline` (a JSON object): deploy every push of `repository:tag`."""

    repository: str  # the repository's name in this account and region, not its URI
    tag: str = "latest"

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if ".dkr.ecr." in value:
            raise ValueError(f"give the repository's name, not its URI: {value!r}")
        if not ECR_REPOSITORY_NAME.match(value):
            raise ValueError(
                "not an ECR repository name (2-256 characters: lowercase letters and digits, "
                f"separated by '.', '_', '-' or '/'): {value!r}"
            )
        return value

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        if not IMAGE_TAG.match(value):
            raise ValueError(f"not an image tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -): {value!r}")
        return value


class StrategyDefaults(_Frozen):
    """Defaults the traffic shifter applies when an execution input omits a field."""

    strategy: Literal["canary", "linear", "all-at-once"] = "canary"
    canary_weight: int = Field(default=10, ge=1, le=99)
    linear_step: int = Field(default=20, ge=1, le=99)
    bake_seconds: int = Field(default=300, ge=0, le=86_400)
    termination_wait_seconds: int = Field(default=900, ge=0, le=172_800)  # CodeDeploy's longest: 2,880 min
    poll_interval_seconds: int = Field(default=60, ge=5, le=3_600)
    alb_propagation_seconds: int = Field(default=60, ge=0, le=3_600)
    max_pause_seconds: int = Field(default=86_400, ge=60, le=604_800)


MAX_EXTRA_ALARMS = 10
MAX_EXTRA_ALARM_CHARACTERS = 1_024


class AlarmThresholds(_Frozen):
    """Per-side CloudWatch alarms on that side's target group."""

    http_5xx_count: int = Field(default=5, ge=1)  # target 5xx responses per period
    latency_p99_ms: int = Field(default=1_000, ge=1)
    unhealthy_hosts: int = Field(default=1, ge=1)
    period_seconds: Literal[10, 30, 60, 300] = 60
    evaluation_periods: int = Field(default=2, ge=1, le=60)
    extra_alarm_names: tuple[str, ...] = ()  # user-declared global alarms that also roll back

    @field_validator("extra_alarm_names")
    @classmethod
    def _fit_the_lambda_environment(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # They travel in the shifter's environment (CUTOVER_GLOBAL_ALARMS), and Lambda refuses
        # environments over 4 KB in all; CloudWatch alarm names have 1-255 characters.
        if any(not 1 <= len(name) <= 255 for name in value):
            raise ValueError("alarm names have 1-255 characters")
        if len(value) > MAX_EXTRA_ALARMS or sum(len(name) for name in value) > MAX_EXTRA_ALARM_CHARACTERS:
            raise ValueError(
                f"at most {MAX_EXTRA_ALARMS} alarms of {MAX_EXTRA_ALARM_CHARACTERS:,} characters in all "
                "(they are part of the shifter's Lambda environment, 4 KB at most)"
            )
        return value


class ServiceConfig(_Frozen):
    """One blue/green service. Every field is a CDK context key of the same name."""

    service_name: str = "demo"
    account: str | None = Field(default=None, pattern=r"^\d{12}$")
    region: str = Field(default="eu-west-1", pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    image: str = "public.ecr.aws/nginx/nginx:1.27-alpine"  # or "asset": build the example service in service/
    service_version: str = Field(default="v1", pattern=r"^[A-Za-z0-9._-]{1,32}$")  # the example service reports it
    container_port: int = Field(default=80, ge=1, le=65_535)
    health_check_path: str = Field(default="/", pattern=r"^/[\x21-\x7e]{0,1023}$")
    # A shell command that exists in the image; default: busybox wget (the default image has no curl).
    container_health_command: str | None = None
    environment: dict[str, str] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict)  # env name → SSM / Secrets Manager ARN
    cpu: int = 256
    memory_mib: int = 512
    desired_count: int = Field(default=2, ge=1, le=100)
    autoscaling: AutoscalingConfig | None = None
    max_azs: int = Field(default=2, ge=2, le=6)
    nat_gateways: int = Field(default=1, ge=1, le=6)
    existing_vpc: ExistingVpcConfig | None = None
    internet_facing: bool = True
    certificate_arn: str | None = None
    domain: DomainConfig | None = None
    stickiness: bool = False
    stickiness_seconds: int = Field(default=3_600, ge=1, le=604_800)
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3_600)
    health_check_interval_seconds: int = Field(default=10, ge=5, le=300)
    health_check_timeout_seconds: int = Field(default=5, ge=2, le=120)
    healthy_threshold: int = Field(default=2, ge=2, le=10)
    unhealthy_threshold: int = Field(default=3, ge=2, le=10)
    smoke_test_base_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(:\d+)?(/.*)?$")
    test_token: bool = True  # require the generated X-Cutover-Test-Token on the test route
    test_route_cidrs: tuple[str, ...] = ()  # and/or restrict the test route to these sources
    alarms: AlarmThresholds = Field(default_factory=AlarmThresholds)
    hooks: HooksConfig = Field(default_factory=HooksConfig)
    pipeline: PipelineConfig | None = None  # CodePipeline: pushes of repository:tag deploy (not with local)
    strategy_defaults: StrategyDefaults = Field(default_factory=StrategyDefaults)
    local: bool = False  # synthesize the variant that moto's CloudFormation can create

    @field_validator("service_name")
    @classmethod
    def _service_name(cls, value: str) -> str:
        if not SERVICE_NAME.match(value):
            raise ValueError("3-26 characters: lowercase letters, digits and '-', starting with a letter")
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if value == ASSET_IMAGE:
            return value
        if not IMAGE_REFERENCE.fullmatch(value):
            raise ValueError(f"not a valid image reference (repository[:tag][@sha256:digest]): {value!r}")
        return value

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not ENV_NAME.match(k)]
        if bad:
            raise ValueError(f"invalid variable name(s): {', '.join(bad)}")
        return value

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: dict[str, str]) -> dict[str, str]:
        for name, arn in value.items():
            if not ENV_NAME.match(name):
                raise ValueError(f"invalid variable name: {name}")
            if not SECRET_ARN.match(arn):
                raise ValueError(f"{name}: expected an SSM parameter or Secrets Manager secret ARN, got {arn!r}")
        return value

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        if value is not None and not CERTIFICATE_ARN.match(value):
            raise ValueError(f"not an ACM certificate ARN: {value!r}")
        return value

    @field_validator("test_route_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=True)
            except ValueError as error:
                raise ValueError(f"{cidr!r} is not a CIDR block ({error})") from None
        if len(value) > 4:
            raise ValueError("at most 4 CIDR blocks (ALB rules allow 5 condition values in all)")
        return value

    @model_validator(mode="before")
    @classmethod
    def _example_service_defaults(cls, values: Any) -> Any:
        """`image=asset` deploys service/: its port and health checks, unless set explicitly."""
        if isinstance(values, dict) and values.get("image") == ASSET_IMAGE:
            defaults = {
                "container_port": CONTAINER_PORT,
                "health_check_path": TARGET_GROUP_HEALTH_PATH,
                "container_health_command": HEALTHCHECK_COMMAND,
                "health_check_interval_seconds": HEALTH_CHECK_INTERVAL_SECONDS,
                "health_check_timeout_seconds": HEALTH_CHECK_INTERVAL_SECONDS - 2,
                "unhealthy_threshold": UNHEALTHY_THRESHOLD,
            }
            return {**defaults, **values}
        return values

    @model_validator(mode="after")
    def _consistent(self) -> ServiceConfig:
        if self.cpu not in FARGATE_MEMORY:
            raise _KeyError("cpu", f"must be one of {sorted(FARGATE_MEMORY)} (Fargate sizes)")
        if self.memory_mib not in FARGATE_MEMORY[self.cpu]:
            allowed = FARGATE_MEMORY[self.cpu]
            raise _KeyError(
                "memory_mib",
                f"{self.memory_mib} is not valid with cpu {self.cpu}: use {allowed.start}-{allowed.stop - 1} "
                f"in steps of {allowed.step}",
            )
        if not self.test_token and not self.test_route_cidrs:
            raise _KeyError(
                "test_token", "the test route must be protected: keep test_token on or set test_route_cidrs"
            )
        if self.domain is not None and self.certificate_arn is None:
            raise _KeyError("domain", "a domain needs certificate_arn (the listener serves HTTPS for it)")
        if self.health_check_timeout_seconds >= self.health_check_interval_seconds:
            raise _KeyError("health_check_timeout_seconds", "must be shorter than health_check_interval_seconds")
        if self.autoscaling is not None and not (self.autoscaling.min <= self.desired_count <= self.autoscaling.max):
            raise _KeyError("desired_count", "must lie within autoscaling min..max")
        if self.image == ASSET_IMAGE:
            try:
                drain_timings(self.deregistration_delay_seconds)
            except ValueError as error:
                raise _KeyError("deregistration_delay_seconds", str(error)) from None
        return self

    @property
    def health_command(self) -> str:
        if self.container_health_command:
            return self.container_health_command
        return f"wget -q -O /dev/null http://127.0.0.1:{self.container_port}{self.health_check_path} || exit 1"


class _KeyError(ValueError):
    """Raised inside validators to name a key other than the one being validated."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class AppConfig(_Frozen):
    services: tuple[ServiceConfig, ...]


# Context keys that CDK itself or the CDK CLI set; they are not ours to validate.
_FOREIGN_KEY_PREFIXES = ("@aws-cdk", "aws:", "cdk-", "acknowledged-issue-numbers", "aws-cdk:")
_LIST_FIELDS = {
    "test_route_cidrs",
    "extra_alarm_names",
    "availability_zones",
    "public_subnet_ids",
    "private_subnet_ids",
}
_MAP_FIELDS = {
    "environment",
    "secrets",
    "autoscaling",
    "existing_vpc",
    "domain",
    "alarms",
    "strategy_defaults",
    "hooks",
    "pipeline",
}


def _parse_json(key: str, text: str, shape: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"invalid context key '{key}': expected a JSON {shape} ({error.msg})") from None


_OPTIONAL_MAPS = {"autoscaling", "existing_vpc", "domain", "pipeline"}
_NULLS = ("", "null", "none")


def _decode(key: str, value: Any) -> Any:
    """Turn `-c key=value` strings into the JSON shapes the model expects."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if key in _MAP_FIELDS:
        return _decode_map(key, text)
    if key in _LIST_FIELDS:
        return _decode_list(key, text)
    if (
        key in {"certificate_arn", "account", "container_health_command", "smoke_test_base_url"}
        and text.lower() in _NULLS
    ):
        return None
    return value


def _decode_map(key: str, text: str) -> Any:
    if text.lower() in _NULLS:
        return None if key in _OPTIONAL_MAPS else {}
    return _parse_json(key, text, "object")


def _decode_list(key: str, text: str) -> Any:
    if text.startswith("["):
        return _parse_json(key, text, "list")
    return [item.strip() for item in text.split(",") if item.strip()]


def _raise_for(error: ValidationError, prefix: str) -> None:
    first = error.errors()[0]
    location = [str(part) for part in first["loc"]]
    message = first["msg"]
    context_error = first.get("ctx", {}).get("error")
    if isinstance(context_error, _KeyError):
        location = [*location, context_error.key]
        message = str(context_error)
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key (see README 'Configuration' for the keys)"
    key = ".".join(location) if location else "(root)"
    raise ConfigError(f"invalid context key '{prefix}{key}': {message}")


def build_service_config(values: Mapping[str, Any], prefix: str = "") -> ServiceConfig:
    decoded: dict[str, Any] = {}
    for key, value in values.items():
        decoded[key] = _decode(key, value)
        if isinstance(decoded[key], dict) and key in {"alarms", "existing_vpc", "hooks"}:
            decoded[key] = {k: _decode(k, v) for k, v in decoded[key].items()}
    try:
        return ServiceConfig.model_validate(decoded)
    except ValidationError as error:
        _raise_for(error, prefix)
        raise  # unreachable: _raise_for always raises


def load_config(context: Mapping[str, Any]) -> AppConfig:
    """Build the app's configuration from CDK context (cdk.json merged with `-c`).

    `services` (optional) is a JSON list of objects; each is merged over the top-level
    keys, so shared settings are written once and each service overrides what differs.
    """
    shared = {k: v for k, v in context.items() if k != "services" and not k.startswith(_FOREIGN_KEY_PREFIXES)}
    raw_services = context.get("services")
    if raw_services is None:
        return AppConfig(services=(build_service_config(shared),))
    if isinstance(raw_services, str):
        try:
            raw_services = json.loads(raw_services)
        except json.JSONDecodeError as error:
            raise ConfigError(f"invalid context key 'services': expected a JSON list ({error.msg})") from None
    if not isinstance(raw_services, list) or not raw_services:
        raise ConfigError("invalid context key 'services': expected a non-empty list of objects")
    services = []
    for index, overrides in enumerate(raw_services):
        if not isinstance(overrides, dict):
            raise ConfigError(f"invalid context key 'services[{index}]': expected an object")
        services.append(build_service_config({**shared, **overrides}, prefix=f"services[{index}]."))
    names = [s.service_name for s in services]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"invalid context key 'services': duplicate service_name {', '.join(duplicates)}")
    return AppConfig(services=tuple(services))
