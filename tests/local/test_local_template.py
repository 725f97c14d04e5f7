"""The local template (`-c local=true`) is the normal one with exactly what moto cannot
handle substituted, and moto's CloudFormation creates it.

Allowed differences, and nothing else:
- the bootstrap-version rule and parameter (no bootstrap stack in moto);
- Lambda-backed custom resources, with the Lambda, role and policies that serve them;
  the live-state seeds become plain AWS::SSM::Parameter resources with the same names
  and seed values;
- dynamic references ({{resolve:…}}), replaced by the value they would resolve to on a
  first deploy: the seed of the SSM parameter, or the local test token;
- the test-token secret holds that local token instead of generating one (its value is
  what the rules' dynamic reference resolves to);
- the public Powertools Lambda layer (moto runs our handlers in-process, with the
  Powertools version requirements-dev.txt pins to the layer's).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from cutover.cdk.shifter_functions import POWERTOOLS_LAYER
from cutover.local import moto_patches
from cutover.local.cloud_assembly import SynthesizedStack, create_stack
from tests.synth import render_join, resources_of_type, seed_call, synth, synth_assembly

STACK = "cutover-demo"
REGION = "eu-west-1"
LAMBDA_SERVING_TYPES = {"AWS::Lambda::Function", "AWS::IAM::Role", "AWS::IAM::Policy"}


def custom_resource_machinery(template: dict[str, Any]) -> set[str]:
    """Custom resources and the Lambdas, roles and policies that exist only to serve them."""
    resources = template["Resources"]
    custom = {
        k
        for k, v in resources.items()
        if v["Type"].startswith("Custom::") or v["Type"] == "AWS::CloudFormation::CustomResource"
    }
    functions = set()
    for logical_id in custom:
        token = resources[logical_id]["Properties"]["ServiceToken"]
        functions.add(token["Fn::GetAtt"][0])
    for function in list(functions):
        if resources[function]["Type"] != "AWS::Lambda::Function":  # provider framework: a function behind a function
            functions.discard(function)
    roles = {resources[f]["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions}
    policies = {
        k
        for k, v in resources.items()
        if v["Type"] == "AWS::IAM::Policy" and {r["Ref"] for r in v["Properties"]["Roles"]} <= roles
    }
    # The provider's /aws/lambda/<function> log group, which CDK declares to set its retention.
    log_groups = {
        k
        for k, v in resources.items()
        if v["Type"] == "AWS::Logs::LogGroup"
        and any(
            v["Properties"].get("LogGroupName") == {"Fn::Join": ["", ["/aws/lambda/", {"Ref": f}]]} for f in functions
        )
    }
    return custom | functions | roles | policies | log_groups


def compare(normal: Any, local: Any, path: str, differences: list[tuple[str, Any, Any]]) -> None:
    if isinstance(normal, dict) and isinstance(local, dict) and "Fn::Join" not in normal:
        for key in set(normal) | set(local):
            compare(normal.get(key), local.get(key), f"{path}.{key}", differences)
    elif isinstance(normal, list) and isinstance(local, list) and len(normal) == len(local):
        for index, (normal_item, local_item) in enumerate(zip(normal, local, strict=True)):
            compare(normal_item, local_item, f"{path}[{index}]", differences)
    elif normal != local:
        differences.append((path, normal, local))


def resolve_locally(normal_value: Any, normal: dict[str, Any], local: dict[str, Any]) -> Any:
    """What a dynamic reference in the normal template resolves to on a first deploy,
    expressed as the local template states it."""
    rendered = render_join(normal_value)
    assert rendered.startswith("{{resolve:"), f"difference outside a dynamic reference: {normal_value!r}"
    head, reference, _tail = normal_value["Fn::Join"][1]
    target = reference["Ref"]
    if head == "{{resolve:ssm:":
        name = seed_call(normal["Resources"][target])["parameters"]["Name"]
        (parameter,) = [
            p for p in resources_of_type(local, "AWS::SSM::Parameter").values() if p["Properties"]["Name"] == name
        ]
        return parameter["Properties"]["Value"]
    assert head == "{{resolve:secretsmanager:", rendered
    return local["Resources"][target]["Properties"]["SecretString"]


def test_local_template_differs_only_where_moto_cannot_follow() -> None:
    normal, local = synth()[STACK], synth(local=True)[STACK]
    assert set(normal.get("Rules", {})) - set(local.get("Rules", {})) == {"CheckBootstrapVersion"}
    assert "BootstrapVersion" in normal["Parameters"] and "BootstrapVersion" not in local.get("Parameters", {})
    assert normal["Outputs"] == local["Outputs"]

    # Live-state seeds keep their logical id; only their implementation changes.
    seeds = {k for k, v in normal["Resources"].items() if v["Type"] == "Custom::AWS"}
    for logical_id in seeds:
        call = seed_call(normal["Resources"][logical_id])
        assert call["action"] == "putParameter"
        replacement = local["Resources"][logical_id]
        assert replacement["Type"] == "AWS::SSM::Parameter"
        assert replacement["Properties"]["Name"] == call["parameters"]["Name"]
        assert render_join(replacement["Properties"]["Value"]) in (call["parameters"]["Value"], "<token>")

    only_normal = set(normal["Resources"]) - set(local["Resources"])
    assert only_normal | seeds == custom_resource_machinery(normal)
    assert set(local["Resources"]) - set(normal["Resources"]) == set()

    differences: list[tuple[str, Any, Any]] = []
    for logical_id in (set(normal["Resources"]) & set(local["Resources"])) - seeds:
        normal_resource, local_resource = dict(normal["Resources"][logical_id]), dict(local["Resources"][logical_id])
        for ignored in ("Metadata", "DependsOn"):  # construct paths, nag notes, and dependencies on removed seeds
            normal_resource.pop(ignored, None)
            local_resource.pop(ignored, None)
        compare(normal_resource, local_resource, logical_id, differences)
    assert differences, "the two templates should differ in the dynamic references"
    for path, normal_value, local_value in differences:
        if path.endswith((".GenerateSecretString", ".SecretString")):
            assert "TestRouteToken" in path
            continue
        if path.endswith(".Properties.Layers"):
            assert local_value is None
            assert [layer.split(":layer:")[1] for layer in normal_value] == [POWERTOOLS_LAYER.split(":layer:")[1]]
            continue
        assert str(resolve_locally(normal_value, normal, local)) == str(local_value), path


@pytest.fixture
def local_aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    moto_patches.apply()
    with mock_aws():
        yield


@pytest.mark.usefixtures("local_aws")
def test_moto_creates_the_local_template() -> None:
    stack = SynthesizedStack.load(synth_assembly(local=True), STACK)
    account = boto3.client("sts").get_caller_identity()["Account"]
    outputs = create_stack(stack, boto3.client("cloudformation"), boto3.client("s3"), account, REGION)

    listener = boto3.client("elbv2").describe_listeners(ListenerArns=[outputs["ListenerArn"]])["Listeners"][0]
    weights = {
        tg["TargetGroupArn"]: tg["Weight"] for tg in listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    }
    assert weights == {outputs["BlueTargetGroupArn"]: 100, outputs["GreenTargetGroupArn"]: 0}

    services = boto3.client("ecs").describe_services(
        cluster=outputs["ClusterName"], services=[outputs["BlueServiceName"], outputs["GreenServiceName"]]
    )["services"]
    assert {s["serviceName"]: s["desiredCount"] for s in services} == {"demo-blue": 2, "demo-green": 0}
    assert {s["serviceName"]: s["taskDefinition"] for s in services} == {
        "demo-blue": outputs["BlueTemplateTaskDefinitionArn"],
        "demo-green": outputs["GreenTemplateTaskDefinitionArn"],
    }

    parameters = boto3.client("ssm").get_parameters_by_path(Path=outputs["LiveStatePrefix"], Recursive=True)[
        "Parameters"
    ]
    live = {p["Name"].removeprefix(outputs["LiveStatePrefix"] + "/"): p["Value"] for p in parameters}
    assert live == {
        "blue/weight": "100",
        "green/weight": "0",
        "blue/desired-count": "2",
        "green/desired-count": "0",
        "blue/task-definition": outputs["BlueTemplateTaskDefinitionArn"],
        "green/task-definition": outputs["GreenTemplateTaskDefinitionArn"],
        "blue/image": "public.ecr.aws/nginx/nginx:1.27-alpine",
        "green/image": "public.ecr.aws/nginx/nginx:1.27-alpine",
    }

    alarms = boto3.client("cloudwatch").describe_alarms(AlarmNamePrefix="cutover-demo-")["MetricAlarms"]
    undelivered = ["cutover-demo-alarm-events-undelivered", "cutover-demo-execution-events-undelivered"]
    assert sorted(a["AlarmName"] for a in alarms) == sorted(
        outputs["BlueAlarmNames"].split(",") + outputs["GreenAlarmNames"].split(",") + undelivered
    )
    token = boto3.client("secretsmanager").get_secret_value(SecretId=outputs["TestTokenSecretArn"])["SecretString"]
    rule = boto3.client("elbv2").describe_rules(RuleArns=[outputs["GreenTestRuleArn"]])["Rules"][0]
    headers = {c["HttpHeaderConfig"]["HttpHeaderName"]: c["HttpHeaderConfig"]["Values"] for c in rule["Conditions"]}
    assert headers == {"X-Canary-Version": ["green"], "X-Cutover-Test-Token": [token]}
