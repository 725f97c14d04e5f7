"""Optional CodePipeline for one service: a push of the configured ECR tag deploys it.

Source: an ECR push of `repository:tag` starts the pipeline; the source action writes
imageDetail.json. Deploy: the service's traffic-shifter state machine is started with
that file as its input (the shifter reads an imageDetail.json document as a deploy of its
ImageURI, cutover/shifter/logic/inputs.py), and the action waits for the execution.

Off by default (context key `pipeline`), and never built for `local`: moto's
CloudFormation cannot create CodePipeline resources.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import ArnFormat, CfnElement, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as codepipeline_actions
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from cutover.config import PipelineConfig
from cutover.shifter.logic.quotas import PIPELINE_EXECUTION_PREFIX

__all__ = ["IMAGE_DETAIL", "PipelineConfig", "PipelineStack", "pipeline_for", "pipeline_stack_name"]

# The file the ECR source action writes into its output artifact.
IMAGE_DETAIL = "imageDetail.json"
# Executions the pipeline starts are named `pipeline-<action execution id>`.
EXECUTION_NAME_PREFIX = PIPELINE_EXECUTION_PREFIX  # validation knows a pipeline execution by it


def pipeline_for(pipeline: PipelineConfig | None, *, local: bool) -> PipelineConfig | None:
    """The pipeline app.py builds for a service: the configured one, never for `local`."""
    return None if local else pipeline


def pipeline_stack_name(service_name: str) -> str:
    return f"cutover-{service_name}-pipeline"


class PipelineStack(Stack):
    """ECR push of `pipeline.repository:pipeline.tag` → the service's traffic shifter.

    The Deploy stage's StepFunctions action starts `state_machine` with the source's
    imageDetail.json as input (InputType FilePath) and waits for the execution to end.
    The stage succeeds only if the execution succeeds: a deployment the shifter rolls
    back ends its execution FAILED ("Deployment failed", or "Rollback incomplete"), as
    does one rejected before it starts (invalid input, deployment lock held), so the
    action, the Deploy stage and the pipeline execution fail with it. The execution,
    named pipeline-<action execution id>, holds the error and cause.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        service_name: str,
        pipeline: PipelineConfig,
        state_machine: sfn.IStateMachine,
        env: Environment,
    ) -> None:
        super().__init__(
            scope,
            pipeline_stack_name(service_name),
            env=env,
            description=f"Cutover {service_name}: pushes of ECR {pipeline.repository}:{pipeline.tag} deploy "
            "through the traffic shifter",
        )
        self.access_logs = s3.Bucket(
            self,
            "ArtifactAccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # S3 server access logging supports SSE-S3 only
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
        )
        self.artifact_bucket = s3.Bucket(
            self,
            "Artifacts",
            # Artifacts are imageDetail.json files (image URI, digest, tags): SSE-S3, no customer key.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="artifacts/",
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(30))],
        )
        # Our own roles (CDK's defaults trust the whole account): the action roles trust the pipeline role only.
        self.pipeline_role = iam.Role(
            self, "PipelineRole", assumed_by=iam.ServicePrincipal("codepipeline.amazonaws.com")
        )
        self.source_role = iam.Role(self, "SourceRole", assumed_by=self.pipeline_role)
        self.deploy_role = iam.Role(self, "DeployRole", assumed_by=self.pipeline_role)

        image = codepipeline.Artifact("Image")
        self.pipeline = codepipeline.Pipeline(
            self,
            "Pipeline",
            pipeline_name=f"cutover-{service_name}",
            pipeline_type=codepipeline.PipelineType.V2,
            # A push while a deployment runs waits at the Deploy stage; a newer push replaces a waiting one.
            execution_mode=codepipeline.ExecutionMode.SUPERSEDED,
            artifact_bucket=self.artifact_bucket,
            role=self.pipeline_role,
            cross_account_keys=False,
            restart_execution_on_update=False,
            stages=[
                codepipeline.StageProps(
                    stage_name="Source",
                    actions=[
                        codepipeline_actions.EcrSourceAction(
                            action_name="Image",
                            repository=ecr.Repository.from_repository_name(self, "Repository", pipeline.repository),
                            image_tag=pipeline.tag,
                            output=image,
                            role=self.source_role,
                        )
                    ],
                ),
                codepipeline.StageProps(
                    stage_name="Deploy",
                    actions=[
                        codepipeline_actions.StepFunctionInvokeAction(
                            action_name="Shift",
                            state_machine=state_machine,
                            state_machine_input=codepipeline_actions.StateMachineInput.file_path(
                                image.at_path(IMAGE_DETAIL)
                            ),
                            execution_name_prefix=EXECUTION_NAME_PREFIX,
                            role=self.deploy_role,
                        )
                    ],
                ),
            ],
        )
        self._input_is_a_path_in_the_artifact()
        self._acknowledge_findings(state_machine)

    def _input_is_a_path_in_the_artifact(self) -> None:
        # StateMachineInput.file_path renders ArtifactPath.location, "Image::imageDetail.json" (the
        # CloudFormation action's TemplatePath form). The StepFunctions action's Input is a path inside
        # its one input artifact ("assets/input.json" in the CodePipeline action reference).
        pipeline = self.pipeline.node.default_child
        assert isinstance(pipeline, codepipeline.CfnPipeline)
        pipeline.add_property_override("Stages.1.Actions.0.Configuration.Input", IMAGE_DETAIL)

    def _acknowledge_findings(self, state_machine: sfn.IStateMachine) -> None:
        artifact_objects = f"Resource::<{self._logical_id(self.artifact_bucket)}.Arn>/*"
        NagSuppressions.add_resource_suppressions(
            self.pipeline_role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    applies_to=[
                        "Action::s3:GetObject*",
                        "Action::s3:GetBucket*",
                        "Action::s3:List*",
                        "Action::s3:DeleteObject*",
                        "Action::s3:Abort*",
                        artifact_objects,
                    ],
                    reason="CodePipeline's service role reads and writes the artifacts of its runs: CDK's "
                    "grantReadWrite on this pipeline's own artifact bucket and its objects, whose keys "
                    "are generated per pipeline execution.",
                )
            ],
            apply_to_children=True,
        )
        NagSuppressions.add_resource_suppressions(
            self.source_role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    applies_to=["Action::s3:DeleteObject*", "Action::s3:Abort*", artifact_objects],
                    reason="The ECR source action writes imageDetail.json into this pipeline's artifact bucket "
                    "(CDK's grantWrite); the object key is generated per pipeline execution.",
                )
            ],
            apply_to_children=True,
        )
        NagSuppressions.add_resource_suppressions(
            self.deploy_role,
            [
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    applies_to=["Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", artifact_objects],
                    reason="The Step Functions action reads imageDetail.json, its execution input, from this "
                    "pipeline's artifact bucket (CDK's grantRead); the key is generated per pipeline execution.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-IAM5",
                    applies_to=[_executions_finding(self, state_machine)],
                    reason="The action polls the execution it started until it ends: DescribeExecution on "
                    "the shifter's executions named pipeline-*; each name ends in the pipeline's action "
                    "execution id, unknown until it runs.",
                ),
            ],
            apply_to_children=True,
        )

    def _logical_id(self, construct: Construct) -> str:
        child = construct.node.default_child
        assert isinstance(child, CfnElement)
        return self.get_logical_id(child)


def _executions_finding(stack: Stack, state_machine: sfn.IStateMachine) -> str:
    """The IAM5 finding id of the DescribeExecution grant, derived as StepFunctionInvokeAction derives
    the ARN (the state machine's ARN split, execution:<name>:<prefix>*) and flattened as cdk-nag does."""
    owner = Stack.of(state_machine)
    arn = owner.split_arn(state_machine.state_machine_arn, ArnFormat.COLON_RESOURCE_NAME)
    executions = owner.format_arn(
        account=arn.account,
        region=arn.region,
        partition=arn.partition,
        service="states",
        resource="execution",
        resource_name=f"{arn.resource_name}:{EXECUTION_NAME_PREFIX}*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    return "Resource::" + _flatten(stack.resolve(executions))


def _flatten(node: Any) -> str:
    """cdk-nag's flattenCfnReference: how a resolved IAM resource appears in a finding id."""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    key: str = ""
    value: Any = None
    if isinstance(node, dict) and len(node) == 1:
        key, value = next(iter(node.items()))
    if key == "Fn::Join":
        separator, parts = value
        flat = str(separator).join(_flatten(part) for part in parts)
    elif key == "Fn::GetAtt":
        resource, attribute = value
        flat = f"<{_flatten(resource)}.{_flatten(attribute)}>"
    elif key in ("Fn::Sub", "Fn::ImportValue"):
        flat = _flatten(value)
    elif key == "Ref":
        flat = f"<{_flatten(value)}>"
    else:
        flat = json.dumps(node, separators=(",", ":"))
    return flat
