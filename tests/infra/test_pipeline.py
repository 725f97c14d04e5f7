"""The optional pipeline: an ECR push starts the traffic shifter with imageDetail.json and waits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks
from pydantic import ValidationError

from cutover.cdk.cutover_stack import CutoverStack
from cutover.cdk.pipeline import IMAGE_DETAIL, PipelineConfig, PipelineStack, pipeline_for, pipeline_stack_name
from cutover.config import ConfigError, ServiceConfig, build_service_config
from tests.infra.test_nag import acknowledgements
from tests.synth import cdk_json_context, one_resource, resources_of_type

SERVICE = "shop"
REGION = "eu-west-1"
MAIN = f"cutover-{SERVICE}"
PIPELINE = pipeline_stack_name(SERVICE)
CONFIGURED = PipelineConfig(repository="team/app", tag="v1")


@dataclass(frozen=True)
class Synthesized:
    templates: dict[str, dict[str, Any]]
    environments: dict[str, tuple[str, str]]  # stack name → (account, region)
    dependencies: dict[str, set[str]]
    nag_messages: list[str]  # AwsSolutions annotations left on either stack

    @property
    def main(self) -> dict[str, Any]:
        return self.templates[MAIN]

    @property
    def pipeline(self) -> dict[str, Any]:
        return self.templates[PIPELINE]


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    """The one synth of this module: the main stack and its pipeline, checked by cdk-nag."""
    app = cdk.App(context=cdk_json_context(), analytics_reporting=False)
    config = build_service_config({"service_name": SERVICE, "region": REGION})
    main = CutoverStack(app, config=config)
    PipelineStack(
        app,
        service_name=SERVICE,
        pipeline=CONFIGURED,
        state_machine=main.shifter.state_machine,
        env=cdk.Environment(account=config.account, region=config.region),
    )
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    assembly = app.synth()  # raises on an unacknowledged AwsSolutions error
    stacks = assembly.stacks
    return Synthesized(
        templates={s.stack_name: s.template for s in stacks},
        environments={s.stack_name: (s.environment.account, s.environment.region) for s in stacks},
        dependencies={s.stack_name: {d.id for d in s.dependencies} for s in stacks},
        nag_messages=[
            f"{s.stack_name} {m.level}: {m.entry.data}"
            for s in stacks
            for m in s.messages
            if "AwsSolutions" in str(m.entry.data)
        ],
    )


def pipeline_properties(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = one_resource(template, "AWS::CodePipeline::Pipeline")["Properties"]
    return properties


def the_action(stage: dict[str, Any]) -> dict[str, Any]:
    actions: list[dict[str, Any]] = stage["Actions"]
    assert len(actions) == 1, actions
    return actions[0]


def from_main_stack(main: dict[str, Any], reference: Any) -> Any:
    """The main-stack value a cross-stack reference reads (weak: Fn::GetStackOutput; strong: Fn::ImportValue)."""
    if isinstance(reference, dict) and "Fn::GetStackOutput" in reference:
        spec = reference["Fn::GetStackOutput"]
        assert spec["StackName"] == MAIN
        return main["Outputs"][spec["OutputName"]]["Value"]
    if isinstance(reference, dict) and "Fn::ImportValue" in reference:
        name = reference["Fn::ImportValue"]
        (value,) = [o["Value"] for o in main["Outputs"].values() if o.get("Export", {}).get("Name") == name]
        return value
    raise AssertionError(f"not a reference to {MAIN}: {reference}")


def shifter_ref(main: dict[str, Any]) -> dict[str, str]:
    (logical_id,) = resources_of_type(main, "AWS::StepFunctions::StateMachine")
    return {"Ref": logical_id}


def statements(template: dict[str, Any], role_id: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        if role_id is None or {"Ref": role_id} in policy["Properties"]["Roles"]:
            found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return found


def actions_of(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else list(value)


def action_role(template: dict[str, Any], provider: str) -> str:
    for stage in pipeline_properties(template)["Stages"]:
        action = the_action(stage)
        if action["ActionTypeId"]["Provider"] == provider:
            role: str = action["RoleArn"]["Fn::GetAtt"][0]
            return role
    raise AssertionError(f"no {provider} action")


def splits_of(value: Any) -> list[Any]:
    """Every Fn::Split source inside an intrinsic."""
    if isinstance(value, dict):
        found = [value["Fn::Split"][1]] if "Fn::Split" in value else []
        return found + [s for v in value.values() for s in splits_of(v)]
    if isinstance(value, list):
        return [s for v in value for s in splits_of(v)]
    return []


# ---------------------------------------------------------------- the pipeline


def test_pipeline_is_v2_with_an_ecr_source_stage_and_a_step_functions_deploy_stage(synthesized: Synthesized) -> None:
    properties = pipeline_properties(synthesized.pipeline)
    assert properties["PipelineType"] == "V2"
    assert properties["Name"] == f"cutover-{SERVICE}"
    source_stage, deploy_stage = properties["Stages"]
    assert (source_stage["Name"], deploy_stage["Name"]) == ("Source", "Deploy")
    source, deploy = the_action(source_stage), the_action(deploy_stage)
    assert source["ActionTypeId"] == {"Category": "Source", "Owner": "AWS", "Provider": "ECR", "Version": "1"}
    assert source["Configuration"] == {"RepositoryName": "team/app", "ImageTag": "v1"}
    assert deploy["ActionTypeId"] == {"Category": "Invoke", "Owner": "AWS", "Provider": "StepFunctions", "Version": "1"}
    assert deploy["InputArtifacts"] == source["OutputArtifacts"]


def test_deploy_starts_the_main_stacks_shifter_with_the_image_detail_file(synthesized: Synthesized) -> None:
    deploy = the_action(pipeline_properties(synthesized.pipeline)["Stages"][1])
    configuration = deploy["Configuration"]
    assert configuration["InputType"] == "FilePath"
    # A path inside the input artifact, not CDK's "<artifact>::<path>" rendering.
    assert configuration["Input"] == IMAGE_DETAIL == "imageDetail.json"
    assert configuration["ExecutionNamePrefix"] == "pipeline"
    assert from_main_stack(synthesized.main, configuration["StateMachineArn"]) == shifter_ref(synthesized.main)


def test_a_push_of_the_configured_tag_starts_the_pipeline(synthesized: Synthesized) -> None:
    rule = one_resource(synthesized.pipeline, "AWS::Events::Rule")["Properties"]
    assert rule["EventPattern"]["source"] == ["aws.ecr"]
    assert rule["EventPattern"]["detail"] == {
        "result": ["SUCCESS"],
        "repository-name": ["team/app"],
        "image-tag": ["v1"],
        "action-type": ["PUSH"],
    }
    (pipeline_id,) = resources_of_type(synthesized.pipeline, "AWS::CodePipeline::Pipeline")
    (target,) = rule["Targets"]
    assert {"Ref": pipeline_id} in target["Arn"]["Fn::Join"][1]


def test_pipeline_stack_shares_the_main_stacks_environment_and_deploys_after_it(synthesized: Synthesized) -> None:
    assert synthesized.environments[PIPELINE] == synthesized.environments[MAIN]
    assert synthesized.environments[PIPELINE][1] == REGION
    assert MAIN in synthesized.dependencies[PIPELINE]


# ---------------------------------------------------------------- least privilege


def test_the_deploy_role_may_start_and_watch_only_the_shifter(synthesized: Synthesized) -> None:
    template, shifter = synthesized.pipeline, shifter_ref(synthesized.main)
    granted = statements(template, action_role(template, "StepFunctions"))
    by_action = {action: s["Resource"] for s in granted for action in actions_of(s)}
    assert from_main_stack(synthesized.main, by_action["states:StartExecution"]) == shifter
    assert from_main_stack(synthesized.main, by_action["states:DescribeStateMachine"]) == shifter
    # DescribeExecution: executions of that state machine (its ARN split for the name) named pipeline-*.
    executions = by_action["states:DescribeExecution"]
    separator, parts = executions["Fn::Join"]
    assert separator == "" and ":execution:" in parts and parts[-1] == ":pipeline*"
    sources = splits_of(executions)
    assert sources and all(from_main_stack(synthesized.main, source) == shifter for source in sources)
    assert {a for a in by_action if a.startswith("states:")} == {
        "states:StartExecution",
        "states:DescribeStateMachine",
        "states:DescribeExecution",
    }


def test_no_role_is_granted_anything_on_every_resource_or_every_state_machine_action(synthesized: Synthesized) -> None:
    for statement in statements(synthesized.pipeline):
        assert statement["Resource"] != "*" and "*" not in statement["Resource"], statement
        assert not any(a in {"*", "states:*"} for a in actions_of(statement)), statement
    starts = [s for s in statements(synthesized.pipeline) if "states:StartExecution" in actions_of(s)]
    assert len(starts) == 1


def test_action_roles_trust_only_the_pipeline_role(synthesized: Synthesized) -> None:
    template = synthesized.pipeline
    pipeline_role = pipeline_properties(template)["RoleArn"]
    for provider in ("ECR", "StepFunctions"):
        role = template["Resources"][action_role(template, provider)]["Properties"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"AWS": pipeline_role}


# ---------------------------------------------------------------- artifacts


def test_artifact_bucket_is_encrypted_private_ssl_only_and_logged(synthesized: Synthesized) -> None:
    template = synthesized.pipeline
    store = pipeline_properties(template)["ArtifactStore"]
    assert store["Type"] == "S3"
    bucket_id = store["Location"]["Ref"]
    bucket = template["Resources"][bucket_id]["Properties"]
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    log_bucket_id = bucket["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
    assert log_bucket_id != bucket_id and log_bucket_id in template["Resources"]
    (policy,) = [
        p["Properties"]
        for p in resources_of_type(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    denies = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(
        s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and s["Action"] == "s3:*" for s in denies
    ), denies


# ---------------------------------------------------------------- cdk-nag


def test_synth_passes_aws_solutions_checks_with_explained_acknowledgements(synthesized: Synthesized) -> None:
    assert synthesized.nag_messages == []
    acknowledged = acknowledgements(synthesized.pipeline)
    assert {a["id"] for a in acknowledged} == {"AwsSolutions-IAM5"}
    for acknowledgement in acknowledged:
        assert len(acknowledgement["reason"]) >= 60, acknowledgement
        assert acknowledgement["applies_to"], "IAM5 is acknowledged per finding, never wholesale"


# ---------------------------------------------------------------- configuration and the app rule


def test_pipeline_config_defaults_to_the_latest_tag_and_is_frozen() -> None:
    config = PipelineConfig(repository="app")
    assert config.tag == "latest"
    with pytest.raises(ValidationError):
        config.tag = "v2"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        PipelineConfig.model_validate({"repository": "app", "branch": "main"})


@pytest.mark.parametrize(
    ("repository", "tag", "message"),
    [
        ("App", "latest", "not an ECR repository name"),
        ("a", "latest", "not an ECR repository name"),
        ("app/", "latest", "not an ECR repository name"),
        ("app:v1", "latest", "not an ECR repository name"),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", "latest", "not its URI"),
        ("app", ".v1", "not an image tag"),
        ("app", "v 1", "not an image tag"),
        ("app", "v" * 129, "not an image tag"),
    ],
)
def test_pipeline_config_rejects_what_ecr_would(repository: str, tag: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PipelineConfig(repository=repository, tag=tag)


def test_a_pipeline_stack_is_built_only_when_configured_and_never_for_local() -> None:
    assert pipeline_for(None, local=False) is None
    assert pipeline_for(None, local=True) is None
    assert pipeline_for(CONFIGURED, local=True) is None
    assert pipeline_for(CONFIGURED, local=False) is CONFIGURED
    assert pipeline_stack_name("api") == "cutover-api-pipeline"


# These need the proposed edits to cutover/config.py and app.py; until then they are skipped.
config_edit_applied = pytest.mark.skipif(
    "pipeline" not in ServiceConfig.model_fields, reason="ServiceConfig has no `pipeline` key yet"
)


@config_edit_applied
def test_pipeline_context_key_decodes_from_json_text() -> None:
    decoded = build_service_config({"pipeline": '{"repository":"app","tag":"v1"}'})
    assert decoded.model_dump()["pipeline"] == {"repository": "app", "tag": "v1"}
    assert build_service_config({"pipeline": '{"repository":"app"}'}).model_dump()["pipeline"]["tag"] == "latest"
    assert build_service_config({}).model_dump()["pipeline"] is None
    assert build_service_config({"pipeline": ""}).model_dump()["pipeline"] is None
    with pytest.raises(ConfigError, match=r"^invalid context key 'pipeline.repository': not an ECR repository name"):
        build_service_config({"pipeline": '{"repository":"App"}'})


@config_edit_applied
def test_app_adds_the_pipeline_stack_only_when_configured_and_not_local() -> None:
    import app  # construction only, no synth

    pipeline = '{"repository":"app","tag":"v1"}'

    def stacks(**overrides: str) -> set[str]:
        built = app.build_app({**cdk_json_context(), **overrides})
        return {c.stack_name for c in built.node.children if isinstance(c, cdk.Stack)}

    assert stacks(pipeline=pipeline) == {"cutover-demo", "cutover-demo-pipeline"}
    assert stacks(pipeline=pipeline, local="true") == {"cutover-demo"}
