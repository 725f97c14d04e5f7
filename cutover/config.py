"""Typed, frozen configuration built once from CDK context.

Every key is documented in README.md ("Configuration"); a key's default lives here
and nowhere else. Values from `-c key=value` arrive as strings: numbers and booleans
are coerced, lists accept JSON or comma-separated text, maps accept JSON.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.inputs import ECS_IMAGE_REFERENCE, IMAGE_TAG
from cutover.shifter.logic.plan import Defaults, StrategyDefaults

# The `image` value that says the app supplies the image itself (`container_image` of
# BlueGreenService and CutoverStack), e.g. a Docker build of its own source at deploy time.
ASSET_IMAGE = "asset"

SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{1,24}[a-z0-9]$")
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:\d{12}:(parameter/|secret:).+$")
CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# ALB listener rules: "up to three match evaluations per condition … up to five match
# evaluations per rule" (ALB guide, rule condition types). A test-route rule has the canary
# header (1 value), the token header (1) and the source-ip condition (the CIDRs).
MAX_VALUES_PER_CONDITION = 3
MAX_VALUES_PER_RULE = 5
MAX_TEST_ROUTE_CIDRS = MAX_VALUES_PER_CONDITION

# The CIDR of a new VPC (CDK's default, explicit because the test-route check depends on it).
NEW_VPC_CIDR = "10.0.0.0/16"

# How many AZs CloudFormation's Fn::GetAZs is asked for when availability_zones is not set
# (what CDK renders for an env-agnostic stack).
DEPLOY_TIME_AZS = 2

# CloudWatch's longest evaluation range (period x evaluation periods), and for periods under an hour.
ALARM_RANGE_SECONDS = 604_800
ALARM_RANGE_SUB_HOUR_SECONDS = 86_400

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
    # Each field's docstring is its description (the props' documentation, and the JSON schema's).
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, use_attribute_docstrings=True)


class AutoscalingConfig(_Frozen):
    min: int = Field(ge=1, le=100)
    """Fewest tasks of the live side."""
    max: int = Field(ge=1, le=100)
    """Most tasks of the live side."""
    cpu_target_percent: int | None = Field(default=None, ge=10, le=90)
    """Target tracking on average CPU (set this or requests_per_target)."""
    requests_per_target: int | None = Field(default=None, ge=1, le=100_000)
    """Target tracking on ALB requests per target (set this or cpu_target_percent)."""

    @model_validator(mode="after")
    def _one_target(self) -> AutoscalingConfig:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must be >= min ({self.min})")
        if (self.cpu_target_percent is None) == (self.requests_per_target is None):
            raise ValueError("set exactly one of cpu_target_percent or requests_per_target")
        return self


class ExistingVpcConfig(_Frozen):
    vpc_id: str = Field(pattern=r"^vpc-[0-9a-f]{8,17}$")
    """The VPC's id (vpc-…)."""
    cidr_block: str | None = None
    """The VPC's primary CIDR: needed with test_route_cidrs."""
    availability_zones: tuple[str, ...] = Field(min_length=2)
    """The AZs of the subnets below, in the same order."""
    public_subnet_ids: tuple[str, ...] = Field(min_length=2)
    """One public subnet per AZ: the internet-facing ALB's."""
    private_subnet_ids: tuple[str, ...] = Field(min_length=2)
    """One private subnet (with egress) per AZ: the tasks' (and an internal ALB's)."""

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
    """The name the alias record gives the ALB, inside the hosted zone."""
    hosted_zone_id: str = Field(pattern=r"^Z[A-Z0-9]{1,31}$")
    """The Route 53 hosted zone's id (Z…)."""
    hosted_zone_name: str = Field(pattern=r"^([a-z0-9-]+\.)+[a-z]{2,}\.?$")
    """The hosted zone's name."""

    @model_validator(mode="after")
    def _inside_zone(self) -> DomainConfig:
        zone = self.hosted_zone_name.rstrip(".")
        if not (self.domain_name == zone or self.domain_name.endswith("." + zone)):
            raise ValueError(f"domain_name {self.domain_name} is not inside hosted zone {zone}")
        return self


LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$")


class HooksConfig(_Frozen):
    """User Lambdas called with the deployment's context; a failure rolls the deployment back."""

    before_traffic: tuple[str, ...] = ()
    """Lambda ARNs called after health checks and smoke tests, before any weight moves."""
    after_traffic: tuple[str, ...] = ()
    """Lambda ARNs called after 100 %, before the final wait."""
    on_step: tuple[str, ...] = ()
    """Lambda ARNs called after each shift, before its bake (docs/workflow.md)."""
    # once traffic is back on the old side and the rollback finished; a failure is recorded only
    on_rollback: tuple[str, ...] = ()
    """Lambda ARNs called once traffic is back on the old side and the rollback finished; a failure is recorded only."""
    timeout_seconds: int = Field(default=300, ge=1, le=900)
    """How long the shifter waits for one hook."""

    @field_validator("before_traffic", "after_traffic", "on_step", "on_rollback")
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
ECR_REPOSITORY_ARN = re.compile(r"^arn:aws[a-z-]*:ecr:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:repository/(?P<name>.+)$")
# Each repository is one ARN in the execution role's inline policy (IAM: 10,240 characters per
# role, "IAM and AWS STS quotas") and one in the shifter's environment (Lambda: 4 KB in all).
MAX_ECR_REPOSITORIES = 20


def _check_repository(value: str, name: str, accepted: str) -> str:
    """`value` when `name`, the repository name it gives, is one; else a ValueError that says
    what is `accepted` ("name" or "name or ARN")."""
    if ".dkr.ecr." in value:
        raise ValueError(f"give the repository's {accepted}, not its URI: {value!r}")
    if not ECR_REPOSITORY_NAME.match(name):
        raise ValueError(
            f"not an ECR repository {accepted} (2-256 characters: lowercase letters and digits, "
            f"separated by '.', '_', '-' or '/'): {value!r}"
        )
    return value


def _ecr_repository(value: str) -> str:
    """A repository name in the stack's account and region, or a repository ARN (cross-account)."""
    arn = ECR_REPOSITORY_ARN.match(value)
    return _check_repository(value, arn["name"] if arn else value, "name or ARN")


class PipelineConfig(_Frozen):
    """Context key `pipeline` (a JSON object): deploy every push of `repository:tag`."""

    repository: str
    """The ECR repository's name in this account and region, not its URI."""
    tag: str = "latest"
    """The tag whose pushes deploy."""

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        return _check_repository(value, value, "name")

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        if not IMAGE_TAG.match(value):
            raise ValueError(f"not an image tag (1-128 of A-Z a-z 0-9 _ . -, not starting with . or -): {value!r}")
        return value


MAX_EXTRA_ALARMS = 10
MAX_EXTRA_ALARM_CHARACTERS = 1_024
# The stack's judge travels in the shifter's environment too (CUTOVER_DEFAULTS, the fields the
# context sets): Lambda refuses environments over 4 KB in all, and with the most alarms accepted
# about 170 characters are left (tests/infra/test_state_machine_limits.py measures it). Enough
# for the mode, the inconclusive action and a few tolerances; user metrics belong in the
# deployment input (the execution's state holds 256 KiB).
MAX_ANALYSIS_CHARACTERS = 160


def analysis_json(analysis: JudgeConfig) -> str:
    """What the stack writes into the Lambda environment: only the fields the context set."""
    return json.dumps(analysis.model_dump(mode="json", exclude_unset=True), separators=(",", ":"))


class AlarmThresholds(_Frozen):
    """Per-side CloudWatch alarms on that side's target group."""

    http_5xx_count: int = Field(default=5, ge=1)
    """Target 5xx responses per period that set a side's 5xx alarm."""
    latency_p99_ms: int = Field(default=1_000, ge=1)
    """p99 target response time, in ms, that sets a side's latency alarm."""
    unhealthy_hosts: int = Field(default=1, ge=1)
    """Unhealthy targets that set a side's unhealthy-host alarm."""
    # ALB sends its metrics every 60 s (ALB CloudWatch metrics guide): a 10/20/30 s period
    # misses most data points and never sees two breaching periods in a row.
    period_seconds: int = Field(default=60, ge=60, le=86_400, multiple_of=60)
    """The alarms' period, whole minutes."""
    evaluation_periods: int = Field(default=2, ge=1, le=60)
    """Breaching periods in a row that set an alarm."""
    extra_alarm_names: tuple[str, ...] = ()
    """User-declared global alarms that also roll back."""

    @model_validator(mode="after")
    def _evaluation_range(self) -> AlarmThresholds:
        # PutMetricAlarm (Period): "Period multiplied by EvaluationPeriods can't be more than
        # 604,800 seconds. For alarms with a period of less than one hour (3,600 seconds), the
        # total evaluation period can't be longer than one day (86,400 seconds)."
        limit = ALARM_RANGE_SECONDS if self.period_seconds >= 3_600 else ALARM_RANGE_SUB_HOUR_SECONDS
        total = self.period_seconds * self.evaluation_periods
        if total > limit:
            raise _KeyError(
                "evaluation_periods",
                f"period_seconds x evaluation_periods is {total} s; CloudWatch allows at most {limit} s",
            )
        return self

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
    """Names the stack (cutover-<name>), the services (<name>-blue, <name>-green), alarms and
    live state; 3-26 of a-z 0-9 -."""
    account: str | None = Field(default=None, pattern=r"^\d{12}$")
    """12-digit AWS account id; unset: the deploying CLI's."""
    region: str = Field(default="eu-west-1", pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    """The region, concrete so that synth works offline."""
    image: str = "public.ecr.aws/nginx/nginx:1.27-alpine"
    """A new stack's container image (repository[:tag][@sha256:digest]), or "asset": the app
    supplies it (SuppliedImage). Later images arrive through the shifter."""
    service_version: str = Field(default="v1", pattern=r"^[A-Za-z0-9._-]{1,32}$")
    """The version the example service reports (image=asset in this repository's app)."""
    container_port: int = Field(default=80, ge=1, le=65_535)
    """The port the container listens on."""
    health_check_path: str = Field(default="/", pattern=r"^/[\x21-\x7e]{0,1023}$")
    """The target group's health check path; also the default smoke test."""
    # A shell command that exists in the image; default: busybox wget (the default image has no curl).
    container_health_command: str | None = None
    """The container health check (CMD-SHELL); must exist in the image. Unset: busybox wget of health_check_path."""
    environment: dict[str, str] = Field(default_factory=dict)
    """Container environment variables."""
    secrets: dict[str, str] = Field(default_factory=dict)
    """Container secrets: variable name to SSM parameter or Secrets Manager secret ARN."""
    cpu: int = 256
    """Fargate task CPU units (256, 512, 1024, 2048, 4096)."""
    memory_mib: int = 512
    """Fargate task memory, a valid combination with cpu."""
    desired_count: int = Field(default=2, ge=1, le=100)
    """Tasks of the live side on the first deploy (seed of the live state)."""
    autoscaling: AutoscalingConfig | None = None
    """Target tracking bounds; the idle side is held at 0..0. Unset: off."""
    max_azs: int = Field(default=2, ge=2, le=6)
    """AZs of a new VPC (more than 2 need availability_zones)."""
    # The new VPC's AZs by name (then max_azs is not used). Without them, CloudFormation picks
    # two at deploy time (Fn::GetAZs), as CDK does for an env-agnostic stack: synth never looks AZs up.
    availability_zones: tuple[str, ...] = Field(default=(), max_length=6)
    """A new VPC's AZs by name; unset: CloudFormation's Fn::GetAZs picks two at deploy time."""
    nat_gateways: int = Field(default=1, ge=1, le=6)
    """NAT gateways of a new VPC."""
    existing_vpc: ExistingVpcConfig | None = None
    """An existing VPC by attributes (no lookups); or pass a VPC object to the construct instead."""
    internet_facing: bool = True
    """False puts the ALB in the private subnets, reachable from the VPC only."""
    certificate_arn: str | None = None
    """An ACM certificate: HTTPS on 443 and a redirect from 80; unset: HTTP on 80."""
    domain: DomainConfig | None = None
    """An alias record to the ALB (needs certificate_arn)."""
    stickiness: bool = False
    """lb_cookie stickiness, so one client sees one version during a canary."""
    stickiness_seconds: int = Field(default=3_600, ge=1, le=604_800)
    """How long a sticky client stays on its side."""
    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3_600)
    """Connection draining; the container's stopTimeout is this plus 15 s (at most 120)."""
    health_check_interval_seconds: int = Field(default=10, ge=5, le=300)
    """The target group's health check interval."""
    health_check_timeout_seconds: int = Field(default=5, ge=2, le=120)
    """The target group's health check timeout, shorter than the interval."""
    healthy_threshold: int = Field(default=2, ge=2, le=10)
    """Consecutive passed checks that make a target healthy."""
    unhealthy_threshold: int = Field(default=3, ge=2, le=10)
    """Consecutive failed checks that make a target unhealthy."""
    smoke_test_base_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(:\d+)?(/.*)?$")
    """Where the shifter sends smoke tests; unset: the ALB's URL."""
    test_token: bool = True
    """Require the generated X-Cutover-Test-Token on the test route."""
    test_route_cidrs: tuple[str, ...] = ()
    """And/or restrict the test route to these source CIDRs (at most 3)."""
    alarms: AlarmThresholds = Field(default_factory=AlarmThresholds)
    """Per-side alarm thresholds; any alarm rolls a deployment back."""
    hooks: HooksConfig = Field(default_factory=HooksConfig)
    """User Lambdas called at stages of a deployment."""
    pipeline: PipelineConfig | None = None
    """A CodePipeline that deploys each push of repository:tag (not with local)."""
    # Private ECR repositories later deployments may pull from (names here, or ARNs); the image's
    # own repository and the pipeline's are always granted (cutover/cdk/image_pull.py).
    ecr_repositories: tuple[str, ...] = ()
    """Private ECR repositories later deployments may pull from (names, or ARNs cross-account)."""
    strategy_defaults: StrategyDefaults = Field(default_factory=StrategyDefaults)
    """What the shifter uses when an execution input omits a field."""
    # The judge at every bake (docs/analysis.md): validated by the Lambda's own model, off by
    # default; a deployment's `analysis` input is merged over it.
    analysis: JudgeConfig = Field(default_factory=JudgeConfig)
    """The canary judge at every bake (docs/analysis.md); off by default."""
    local: bool = False
    """Synthesize the variant that local AWS (moto) can create."""

    @field_validator("analysis")
    @classmethod
    def _analysis_fits_the_lambda_environment(cls, value: JudgeConfig) -> JudgeConfig:
        size = len(analysis_json(value))
        if size > MAX_ANALYSIS_CHARACTERS:
            raise ValueError(
                f"{size:,} characters as JSON, over the {MAX_ANALYSIS_CHARACTERS:,} the shifter's Lambda environment "
                "can hold (4 KB in all): give larger judges (user metrics) in the deployment input's `analysis`"
            )
        return value

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
        if not ECS_IMAGE_REFERENCE.fullmatch(value):  # a bare repository too: see its definition
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

    @field_validator("ecr_repositories")
    @classmethod
    def _ecr_repositories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) > MAX_ECR_REPOSITORIES:
            raise ValueError(f"at most {MAX_ECR_REPOSITORIES} repositories")
        return tuple(_ecr_repository(item) for item in value)

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
        if len(value) > MAX_TEST_ROUTE_CIDRS:
            raise ValueError(
                f"at most {MAX_TEST_ROUTE_CIDRS} CIDR blocks (an ALB condition allows 3 values, a rule 5 in all)"
            )
        return value

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
        self._check_test_route()
        if self.domain is not None and self.certificate_arn is None:
            raise _KeyError("domain", "a domain needs certificate_arn (the listener serves HTTPS for it)")
        if self.health_check_timeout_seconds >= self.health_check_interval_seconds:
            raise _KeyError("health_check_timeout_seconds", "must be shorter than health_check_interval_seconds")
        self._check_availability_zones()
        if self.autoscaling is not None and not (self.autoscaling.min <= self.desired_count <= self.autoscaling.max):
            raise _KeyError("desired_count", "must lie within autoscaling min..max")
        return self

    def _check_test_route(self) -> None:
        if not self.test_token and not self.test_route_cidrs:
            raise _KeyError(
                "test_token", "the test route must be protected: keep test_token on or set test_route_cidrs"
            )
        header_values = 2 if self.test_token else 1  # X-Canary-Version, and the token
        if header_values + len(self.test_route_cidrs) > MAX_VALUES_PER_RULE:
            raise _KeyError("test_route_cidrs", f"a test-route rule would have more than {MAX_VALUES_PER_RULE} values")
        if self.test_route_cidrs:
            self._check_shifter_matches_test_route()

    def _check_shifter_matches_test_route(self) -> None:
        """Smoke tests must reach the side under test. A request the test-route rule does not
        match falls through to the default action, the live side (ALB listener rules), and the
        smoke tests would pass against the old version. The shifter's requests come from its
        Lambda: inside the VPC (private subnets) with an internal ALB, else from an AWS address
        nobody can name in a CIDR. So the CIDRs must contain the VPC's (docs/workflow.md)."""
        if self.internet_facing:
            raise _KeyError(
                "test_route_cidrs",
                "with an internet-facing ALB the shifter's smoke tests come from AWS addresses outside "
                "any CIDR and would test the live side: use test_token alone, or internet_facing=false",
            )
        vpc_cidr = NEW_VPC_CIDR if self.existing_vpc is None else self.existing_vpc.cidr_block
        if vpc_cidr is None:
            raise _KeyError("test_route_cidrs", "needs existing_vpc.cidr_block, where the shifter's requests come from")
        if not any(_contains(cidr, vpc_cidr) for cidr in self.test_route_cidrs):
            raise _KeyError(
                "test_route_cidrs",
                f"none contains the VPC's {vpc_cidr}, where the shifter's smoke tests come from: "
                "they would fall through to the live side",
            )

    def _check_availability_zones(self) -> None:
        zones = self.availability_zones
        if zones and self.existing_vpc is not None:
            raise _KeyError("availability_zones", "an existing_vpc names its own availability_zones")
        if not zones:
            if self.max_azs > DEPLOY_TIME_AZS and self.existing_vpc is None:
                raise _KeyError("max_azs", f"more than {DEPLOY_TIME_AZS} needs availability_zones (their names)")
            return
        if len(set(zones)) != len(zones) or len(zones) < DEPLOY_TIME_AZS:
            raise _KeyError("availability_zones", f"give at least {DEPLOY_TIME_AZS} distinct zones")
        foreign = [zone for zone in zones if not re.fullmatch(re.escape(self.region) + r"[a-z]", zone)]
        if foreign:
            raise _KeyError("availability_zones", f"not zones of {self.region}: {', '.join(foreign)}")

    @property
    def health_command(self) -> str:
        if self.container_health_command:
            return self.container_health_command
        return f"wget -q -O /dev/null http://127.0.0.1:{self.container_port}{self.health_check_path} || exit 1"

    def shifter_defaults(self) -> Defaults:
        """What the shifter applies to an input that omits a field (CUTOVER_DEFAULTS): the stack
        writes it into the Lambda environment, `cutover plan` uses it offline. The judge keeps
        which fields the context set, so only those are written (analysis_json)."""
        return Defaults(
            **self.strategy_defaults.model_dump(), health_check_path=self.health_check_path, analysis=self.analysis
        )


def _contains(outer: str, inner: str) -> bool:
    outer_network, inner_network = ipaddress.ip_network(outer), ipaddress.ip_network(inner)
    if isinstance(outer_network, ipaddress.IPv4Network) and isinstance(inner_network, ipaddress.IPv4Network):
        return inner_network.subnet_of(outer_network)
    if isinstance(outer_network, ipaddress.IPv6Network) and isinstance(inner_network, ipaddress.IPv6Network):
        return inner_network.subnet_of(outer_network)
    return False


class _KeyError(ValueError):
    """Raised inside validators to name a key other than the one being validated."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class AppConfig(_Frozen):
    services: tuple[ServiceConfig, ...]
    """One entry per service; each gets its own stack."""


# Context keys that CDK itself or the CDK CLI set; they are not ours to validate.
_FOREIGN_KEY_PREFIXES = ("@aws-cdk", "aws:", "cdk-", "acknowledged-issue-numbers", "aws-cdk:")


def _is_foreign_key(key: str) -> bool:
    # Context-provider results (`availability-zones:account=…:region=…`, `vpc-provider:…`,
    # `ssm:…`, `hosted-zone:…`) are keyed by provider and query, always with a ':'; none of ours has one.
    return key.startswith(_FOREIGN_KEY_PREFIXES) or ":" in key


_LIST_FIELDS = {
    "test_route_cidrs",
    "extra_alarm_names",
    "availability_zones",
    "public_subnet_ids",
    "private_subnet_ids",
    "ecr_repositories",
}
_MAP_FIELDS = {
    "environment",
    "secrets",
    "autoscaling",
    "existing_vpc",
    "domain",
    "alarms",
    "strategy_defaults",
    "analysis",
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


# Given one service's keys (decoded), the defaults to fill in for the keys it does not set.
ServiceDefaults = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def no_defaults(_values: Mapping[str, Any]) -> Mapping[str, Any]:
    return {}


def build_service_config(
    values: Mapping[str, Any], prefix: str = "", *, service_defaults: ServiceDefaults = no_defaults
) -> ServiceConfig:
    decoded: dict[str, Any] = {}
    for key, value in values.items():
        decoded[key] = _decode(key, value)
        if isinstance(decoded[key], dict) and key in {"alarms", "existing_vpc", "hooks"}:
            decoded[key] = {k: _decode(k, v) for k, v in decoded[key].items()}
    decoded = {**service_defaults(decoded), **decoded}
    try:
        return ServiceConfig.model_validate(decoded)
    except ValidationError as error:
        _raise_for(error, prefix)
        raise  # unreachable: _raise_for always raises


def load_config(context: Mapping[str, Any], *, service_defaults: ServiceDefaults = no_defaults) -> AppConfig:
    """Build the app's configuration from CDK context (cdk.json merged with `-c`).

    `services` (optional) is a JSON list of objects; each is merged over the top-level
    keys, so shared settings are written once and each service overrides what differs.
    `service_defaults` lets an app default keys from a service's other keys (this repository's
    app.py: the example service's port and health checks when `image` is `asset`).
    """
    shared = {k: v for k, v in context.items() if k != "services" and not _is_foreign_key(k)}
    raw_services = context.get("services")
    if raw_services is None:
        return AppConfig(services=(build_service_config(shared, service_defaults=service_defaults),))
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
        services.append(
            build_service_config(
                {**shared, **overrides}, prefix=f"services[{index}].", service_defaults=service_defaults
            )
        )
    names = [s.service_name for s in services]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"invalid context key 'services': duplicate service_name {', '.join(duplicates)}")
    return AppConfig(services=tuple(services))
