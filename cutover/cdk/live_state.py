"""The live state: SSM parameters owned by the traffic shifter, seeded once by the stack.

CloudFormation sends what a template declares whenever it updates a resource. If the
template declared the listener weights, each service's task definition and desired
count, any later `cdk deploy` touching those resources would move traffic, revert a
side's image or scale a live side. So the template declares none of them: it reads them
through `{{resolve:ssm:…}}` dynamic references to parameters the shifter writes.

Contract (docs/live-state.md): parameters `/cutover/<service>/live/<side>/<key>`, plain
`String` values, written by the shifter after each change it makes:
  weight            integer 0-100, the side's share of production traffic
  task-definition   full task-definition ARN with revision that the side runs
  image             the image of that task definition (informational)
  desired-count     integer, the side's ECS desired count
  min-capacity / max-capacity   autoscaling bounds (only when autoscaling is configured)

A parameter is created once with its seed value (create-only custom resource that never
overwrites) and is never updated by CloudFormation afterwards. The dynamic reference is
built from the seed resource's Ref, so CloudFormation resolves it only after the seed
exists, at the moment it creates or updates the resource that reads it.

Local synthesis (moto cannot run Lambda-backed custom resources nor resolve dynamic
references): the seed is a plain AWS::SSM::Parameter, and readers get the seed value.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from aws_cdk import custom_resources as cr
from constructs import Construct

from cutover.cdk.capacity_seeds import CapacitySeeds
from cutover.shifter.contract import LiveKey, Side

LIVE_KEYS: tuple[LiveKey, ...] = tuple(LiveKey)


def live_state_prefix(service_name: str) -> str:
    return f"/cutover/{service_name}/live"


class LiveState(Construct):
    """Seeds the live-state parameters and hands out references that read them."""

    def __init__(self, scope: Construct, construct_id: str, *, service_name: str, local: bool) -> None:
        super().__init__(scope, construct_id)
        self.prefix = live_state_prefix(service_name)
        self._local = local
        self.parameter_names: dict[str, str] = {}
        self._seeds: dict[str, Construct] = {}
        self._capacity_seeds: CapacitySeeds | None = None

    def parameter_name(self, side: Side, key: LiveKey) -> str:
        return f"{self.prefix}/{side}/{key}"

    def seed(self, side: Side, key: LiveKey, seed_value: str | int) -> str | int:
        """Create the parameter once with `seed_value`; return what the template should use."""
        if key not in LIVE_KEYS:
            raise ValueError(f"unknown live-state key {key}")
        name = self.parameter_name(side, key)
        self.parameter_names[f"{side}/{key}"] = name
        construct_id = f"{side}-{key}"
        if self._local:
            ssm.StringParameter(self, construct_id, parameter_name=name, string_value=str(seed_value))
            return seed_value
        seeded = cr.AwsCustomResource(
            self,
            construct_id,
            # Create-only: Overwrite false, and no on_update, so a later deploy never
            # replaces what the shifter recorded. ParameterAlreadyExists fails the create:
            # a parameter this stack did not create is stale (left by an earlier stack of the
            # same name), and adopting it would route to, or size, services that no longer exist.
            on_create=cr.AwsSdkCall(
                service="SSM",
                action="putParameter",
                parameters={"Name": name, "Value": str(seed_value), "Type": "String", "Overwrite": False},
                physical_resource_id=cr.PhysicalResourceId.of(name),
            ),
            on_delete=cr.AwsSdkCall(
                service="SSM",
                action="deleteParameter",
                parameters={"Name": name},
                ignore_error_codes_matching="ParameterNotFound",
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements([self._seed_policy(name)]),
            install_latest_aws_sdk=False,
        )
        self._seeds[f"{side}/{key}"] = seeded
        return f"{{{{resolve:ssm:{_ref(seeded)}}}}}"

    def seed_capacity(self, side: Side, *, configured: tuple[int, int], live: bool) -> tuple[str | int, str | int]:
        """min/max-capacity, seeded from the side's recorded desired count when created
        (cutover/cdk/capacity_seeds.py); locally, plain parameters (a local stack is always new,
        blue live: `live`)."""
        if self._local:
            minimum, maximum = configured if live else (0, 0)
            return self.seed(side, LiveKey.MIN_CAPACITY, minimum), self.seed(side, LiveKey.MAX_CAPACITY, maximum)
        if self._capacity_seeds is None:
            self._capacity_seeds = CapacitySeeds(self, "Capacity")
        names = (self.parameter_name(side, LiveKey.MIN_CAPACITY), self.parameter_name(side, LiveKey.MAX_CAPACITY))
        for key, name in zip((LiveKey.MIN_CAPACITY, LiveKey.MAX_CAPACITY), names, strict=True):
            self.parameter_names[f"{side}/{key}"] = name
        seeded = self._capacity_seeds.seed(
            f"{side}-capacity",
            count=self.parameter_name(side, LiveKey.DESIRED_COUNT),
            bounds=names,
            configured=configured,
        )
        # The count must be recorded first (a new stack creates both in one operation).
        seeded.node.add_dependency(self._seeds[f"{side}/{LiveKey.DESIRED_COUNT}"])
        # A literal name: the readers depend on the seed explicitly (blue_green_service.py).
        self._seeds[f"{side}/capacity"] = seeded
        return f"{{{{resolve:ssm:{names[0]}}}}}", f"{{{{resolve:ssm:{names[1]}}}}}"

    def seed_resource(self, side: Side, key: str) -> Construct:
        return self._seeds[f"{side}/{key}"]

    def _seed_policy(self, name: str) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            actions=["ssm:PutParameter", "ssm:DeleteParameter"],
            resources=[Stack.of(self).format_arn(service="ssm", resource="parameter", resource_name=name.lstrip("/"))],
        )


def _ref(resource: cr.AwsCustomResource) -> str:
    child = resource.node.default_child
    ref = getattr(child, "ref", None)
    if not isinstance(ref, str):
        raise TypeError("AwsCustomResource has no Ref")
    return ref
