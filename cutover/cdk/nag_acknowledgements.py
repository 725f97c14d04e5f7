"""cdk-nag AwsSolutions acknowledgements. Each names the finding and says why it stands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import CfnElement, Stack, Token
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_lambda as lambda_
from aws_cdk import custom_resources as cr
from cdk_nag import NagPackSuppression, NagSuppressions

from cutover.cdk.blue_green_service import BlueGreenService
from cutover.config import ASSET_IMAGE
from cutover.shifter.contract import SIDES

if TYPE_CHECKING:
    from cutover.cdk.traffic_shifter import TrafficShifter


def acknowledge_stack_findings(stack: Stack, service: BlueGreenService) -> None:
    if service.config.internet_facing:
        NagSuppressions.add_resource_suppressions(
            service.load_balancer.security_group,
            [
                NagPackSuppression(
                    id="AwsSolutions-EC23",
                    reason="The internet-facing ALB is the public entry point: it accepts only the listener "
                    "port(s) 80/443 from anywhere; the service tasks accept only the ALB.",
                )
            ],
        )
    NagSuppressions.add_resource_suppressions(
        service.load_balancer.access_logs,
        [
            NagPackSuppression(
                id="AwsSolutions-S1",
                reason="This bucket is the access-log destination itself; logging it would need another "
                "log bucket, and so on.",
            )
        ],
    )
    for side in SIDES:
        NagSuppressions.add_resource_suppressions(
            service.sides[side].task_definition,
            [
                NagPackSuppression(
                    id="AwsSolutions-ECS2",
                    reason="Environment variables hold non-secret configuration (side, service name, user "
                    "settings); secrets are injected from SSM / Secrets Manager through the `secrets` key.",
                )
            ],
        )
    if service.config.image == ASSET_IMAGE or service.pull_repository_arns:
        NagSuppressions.add_resource_suppressions(
            service.execution_role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    applies_to=["Resource::*"],
                    reason="ecr:GetAuthorizationToken (registry login, to pull a private ECR image) takes no "
                    "resource-level permissions; the pull itself is scoped to the listed repositories.",
                )
            ],
            apply_to_children=True,
        )
    # CDK names the singleton provider of AwsCustomResource "AWS" + its UUID without dashes.
    provider = stack.node.try_find_child("AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", ""))
    if provider is not None:
        NagSuppressions.add_resource_suppressions(
            provider,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM4",
                    applies_to=[
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                    reason="CDK's AwsCustomResource provider (seeds the live-state parameters once) writes its "
                    "own logs with this policy; its SSM permissions are scoped to each exact parameter.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-L1",
                    reason="The runtime of CDK's AwsCustomResource provider is chosen by aws-cdk-lib.",
                ),
            ],
            apply_to_children=True,
        )


def acknowledge_shifter_findings(
    shifter: TrafficShifter, service_name: str, hook_arns: tuple[str, ...], cluster: ecs.ICluster
) -> None:
    functions = shifter.functions
    unscoped = NagPackSuppression(
        id="AwsSolutions-IAM5",
        applies_to=["Resource::*"],
        reason="Only actions AWS does not let us scope to a resource are granted on '*'; they are listed, "
        "each with its reason, in cutover/cdk/iam_exceptions.py, and tests/infra assert nothing else is.",
    )
    for function in (functions.workflow, functions.alarm_events, functions.execution_events):
        assert function.role is not None
        NagSuppressions.add_resource_suppressions(function.role, [unscoped], apply_to_children=True)
        NagSuppressions.add_resource_suppressions(
            function,
            [
                NagPackSuppression(
                    id="AwsSolutions-L1",
                    reason="Python 3.13 is the newest runtime for which the pinned Powertools layer "
                    "(3.23.0, layer 27) is published; the runtime moves with the layer.",
                )
            ],
        )
    assert functions.workflow.role is not None
    NagSuppressions.add_resource_suppressions(
        functions.workflow.role,
        [
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                applies_to=[
                    f"Resource::arn:aws:ecs:{region}:{account}:task-definition/{service_name}-{side}:*"
                    for side in SIDES
                    for region, account in _arn_renderings(Stack.of(shifter))
                ],
                reason="ecs:TagResource on the revisions of this service's two task-definition families; the "
                "revision number is only known once the shifter registers it.",
            ),
            *_cluster_tasks_finding(shifter, cluster),
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                applies_to=["Resource::*"],
                reason="cloudwatch:GetMetricData, the judge's one call per bake check, supports no resource-level "
                "permissions (Service Authorization Reference, Actions defined by Amazon CloudWatch: no resource "
                "type, so '*'); granted to the workflow function's role only.",
            ),
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                applies_to=["Action::kms:GenerateDataKey*"],
                reason="Publishing to the encrypted notification topic needs GenerateDataKey* on that topic's "
                "one key (granted by topic.grant_publish, resource scoped to the key).",
            ),
        ],
        apply_to_children=True,
    )
    for queue in shifter.dead_letters.queues.values():
        NagSuppressions.add_resource_suppressions(
            queue,
            [
                NagPackSuppression(
                    id="AwsSolutions-SQS3",
                    reason="This queue is itself the dead-letter queue of an EventBridge target (cdk-nag "
                    "recognises only SQS redrive policies); its first message raises an alarm.",
                )
            ],
        )
    NagSuppressions.add_resource_suppressions(
        shifter.state_machine.role,
        [
            unscoped,
            NagPackSuppression(
                id="AwsSolutions-IAM5",
                applies_to=[f"Resource::<{Stack.of(shifter).get_logical_id(_cfn(functions.workflow))}.Arn>:*"],
                reason="The state machine invokes versions and aliases of its own workflow function only.",
            ),
            *(
                [
                    NagPackSuppression(
                        id="AwsSolutions-IAM5",
                        applies_to=[f"Resource::{arn}:*" for arn in hook_arns],
                        reason="The state machine invokes the configured lifecycle hook functions (and their "
                        "versions) only; the ARNs come from the `hooks` context key.",
                    )
                ]
                if hook_arns
                else []
            ),
        ],
        apply_to_children=True,
    )


def _arn_renderings(stack: Stack) -> list[tuple[str, str]]:
    """How cdk-nag renders a region and an account in a finding: a literal when the stack's
    environment is concrete, the pseudo parameter otherwise."""
    region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    return [(region, account)]


def _cluster_tasks_finding(shifter: TrafficShifter, cluster: ecs.ICluster) -> list[NagPackSuppression]:
    """The DescribeTasks finding, named by the cluster's logical id when the cluster is in this stack
    (an app's own cluster elsewhere is referenced, and its stack is the app's to check)."""
    stack = Stack.of(shifter)
    element = cluster.node.default_child
    if not isinstance(element, CfnElement) or Stack.of(element) is not stack:
        return []
    cluster_id = stack.get_logical_id(element)
    return [
        NagPackSuppression(
            id="AwsSolutions-IAM5",
            applies_to=[
                f"Resource::arn:aws:ecs:{region}:{account}:task/<{cluster_id}>/*"
                for region, account in _arn_renderings(stack)
            ],
            reason="ecs:DescribeTasks on the tasks of this stack's cluster only, to report why a side's "
            "tasks stopped; task ids are generated by ECS.",
        )
    ]


def _cfn(function: lambda_.Function) -> CfnElement:
    child = function.node.default_child
    assert isinstance(child, CfnElement)
    return child
