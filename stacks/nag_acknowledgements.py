"""cdk-nag AwsSolutions acknowledgements. Each names the finding and says why it stands."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import custom_resources as cr
from cdk_nag import NagPackSuppression, NagSuppressions

from stacks.blue_green_service import BlueGreenService
from stacks.live_state import SIDES


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
    provider = stack.node.try_find_child(cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", ""))
    if provider is None:
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
