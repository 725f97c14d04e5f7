"""The autoscaling bounds' seeds: a Lambda-backed custom resource per side.

The other seeds write a fixed value (AwsCustomResource), but the first bounds of a side
depend on what that side runs when autoscaling is turned on, which a template cannot know:
on a stack whose live side is green, fixed seeds (blue live) would pin green at 0..0 and
RegisterScalableTarget would scale the live side to zero. So this seed reads the side's
recorded desired count at create time (cutover/shifter/handlers/capacity_seed.py).
"""

from __future__ import annotations

from aws_cdk import CfnElement, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from cutover.cdk.lambda_asset import staged_lambda_code

RESOURCE_TYPE = "Custom::CutoverCapacitySeed"
# The shifter's runtime and Powertools layer (cutover/cdk/shifter_functions.py), repeated here
# because that module imports the service constructs that use this one.
RUNTIME = lambda_.Runtime.PYTHON_3_13
POWERTOOLS_LAYER = "arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:27"


class CapacitySeeds(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            handler="cutover.shifter.handlers.capacity_seed.handler",
            code=lambda_.Code.from_asset(str(staged_lambda_code())),
            layers=[
                lambda_.LayerVersion.from_layer_version_arn(
                    self, "Powertools", POWERTOOLS_LAYER.format(region=stack.region)
                )
            ],
            role=self.role,
            log_group=log_group,
            timeout=Duration.seconds(60),
            memory_size=256,
            # No X-Ray: two SSM calls once per stack operation; tracing would grant xray:* on '*'.
            tracing=lambda_.Tracing.DISABLED,
            environment={"POWERTOOLS_SERVICE_NAME": "cutover-capacity-seed"},
        )
        self.provider = cr.Provider(self, "Provider", on_event_handler=self.function)
        self._acknowledge_findings(stack)

    def _acknowledge_findings(self, stack: Stack) -> None:
        NagSuppressions.add_resource_suppressions(
            self.function,
            [
                NagPackSuppression(
                    id="AwsSolutions-L1",
                    reason="Python 3.13 is the newest runtime for which the pinned Powertools layer "
                    "(3.23.0, layer 27) is published, as for the shifter's functions.",
                )
            ],
        )
        function_id = stack.get_logical_id(_cfn(self.function))
        NagSuppressions.add_resource_suppressions(
            self.provider,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM4",
                    applies_to=[
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                    reason="CDK's custom-resource Provider framework function writes its own logs with this "
                    "policy; it only invokes the capacity-seed function.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    applies_to=[f"Resource::<{function_id}.Arn>:*"],
                    reason="The Provider framework invokes versions of the one capacity-seed function.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-L1",
                    reason="The runtime of CDK's Provider framework function is chosen by aws-cdk-lib.",
                ),
            ],
            apply_to_children=True,
        )

    def seed(self, construct_id: str, *, count: str, bounds: tuple[str, str], configured: tuple[int, int]) -> Construct:
        """One side's min/max-capacity parameters, from the parameter `count` when created."""
        stack = Stack.of(self)
        minimum_name, maximum_name = bounds
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[_parameter_arn(stack, count)])
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["ssm:PutParameter", "ssm:DeleteParameter"],
                resources=[_parameter_arn(stack, name) for name in bounds],
            )
        )
        return CustomResource(
            self,
            construct_id,
            service_token=self.provider.service_token,
            resource_type=RESOURCE_TYPE,
            properties={
                "CountParameter": count,
                "MinParameter": minimum_name,
                "MaxParameter": maximum_name,
                "Min": configured[0],
                "Max": configured[1],
            },
        )


def _cfn(function: lambda_.Function) -> CfnElement:
    child = function.node.default_child
    assert isinstance(child, CfnElement)
    return child


def _parameter_arn(stack: Stack, name: str) -> str:
    return stack.format_arn(service="ssm", resource="parameter", resource_name=name.lstrip("/"))
