"""IAM on local AWS: our Lambdas' calls are checked against their template roles, and a
call the template does not allow fails as it would on AWS (cutover/local/iam_enforcement.py).

Nothing is faked here beyond what the harness always fakes; the template is edited in two
tests, as a user's template with a missing grant would be."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cutover.local import runtime
from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from tests.workflow.conftest import REGION, local_cutover

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"


def workflow_policy(template: dict[str, Any]) -> dict[str, Any]:
    policies: list[dict[str, Any]] = [
        resource["Properties"]["PolicyDocument"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy" and "WorkflowRoleDefaultPolicy" in logical_id
    ]
    (policy,) = policies
    return policy


def without_action(action: str) -> Callable[[dict[str, Any]], None]:
    def edit(template: dict[str, Any]) -> None:
        policy = workflow_policy(template)
        kept = []
        for statement in policy["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            remaining = [a for a in actions if a != action]
            if remaining:
                kept.append({**statement, "Action": remaining})
        assert len(kept) < len(policy["Statement"]) or kept != policy["Statement"], f"{action} was not granted"
        policy["Statement"] = kept

    return edit


@pytest.fixture
def cutover_without(
    monkeypatch: pytest.MonkeyPatch,
    recorder: TimeRecorder,
    test_route: TestRouteStandIn,
    request: pytest.FixtureRequest,
) -> Iterator[LocalCutover]:
    with local_cutover(monkeypatch, test_route, edit_template=without_action(request.param)) as local:
        yield local


def test_a_happy_path_checks_every_call_and_denies_none(cutover: LocalCutover) -> None:
    execution = cutover.run({"image": IMAGE_V2, "strategy": "canary"}, name="checked")
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert runtime.iam.denials == []
    checked = runtime.iam.checked
    outputs = cutover.outputs
    account = cutover.account
    assert ("elasticloadbalancing:ModifyListener", outputs["ListenerArn"]) in checked
    assert ("ecs:UpdateService", f"arn:aws:ecs:{REGION}:{account}:service/cutover-demo/demo-green") in checked
    assert ("iam:PassRole", f"arn:aws:iam::{account}:role/{_execution_role(cutover)}") in checked
    assert ("ecs:TagResource", f"arn:aws:ecs:{REGION}:{account}:task-definition/demo-green:2") in checked
    assert ("cloudwatch:DescribeAlarms", "*") in checked
    assert ("sns:Publish", outputs["TopicArn"]) in checked
    assert {action for action, _ in checked} >= {"kms:GenerateDataKey", "kms:Decrypt"}  # the topic is SSE-KMS
    table = f"arn:aws:dynamodb:{REGION}:{account}:table/{outputs['TableName']}"
    assert {("dynamodb:PutItem", table), ("dynamodb:UpdateItem", table), ("dynamodb:DeleteItem", table)} <= checked
    assert ("ssm:PutParameter", f"arn:aws:ssm:{REGION}:{account}:parameter/cutover/demo/live/green/weight") in checked
    print(f"\nIAM: a canary deployment checked {len(checked)} distinct (action, resource) pairs")


def _execution_role(cutover: LocalCutover) -> str:
    assert cutover.resolver is not None
    (logical_id,) = [
        k for k in cutover.stack.template["Resources"] if k.startswith("ServiceExecutionRole") and "Policy" not in k
    ]
    return cutover.resolver.ref(logical_id)


def test_a_call_the_role_does_not_allow_fails_with_aws_access_denied(cutover: LocalCutover) -> None:
    """The alarm-events function may not touch the listener: AWS's error, code and message."""
    function = cutover.outputs["AlarmEventsFunctionName"]
    listener = cutover.outputs["ListenerArn"]
    identity = runtime.iam.identities[function]
    with runtime.iam.acting_as(function), pytest.raises(ClientError) as raised:
        boto3.client("elbv2", region_name=REGION).modify_listener(ListenerArn=listener, DefaultActions=[])
    error = raised.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: arn:aws:sts::{cutover.account}:assumed-role/{identity.role_name}/{function} is not authorized to "
        f"perform: elasticloadbalancing:ModifyListener on resource: {listener} because no identity-based policy "
        "allows the elasticloadbalancing:ModifyListener action"
    )
    assert cutover.weights() == {"blue": 100, "green": 0}  # the call never reached the listener


def test_the_same_call_is_allowed_for_the_function_whose_role_grants_it(cutover: LocalCutover) -> None:
    function = cutover.outputs["WorkflowFunctionName"]
    with runtime.iam.acting_as(function):
        listeners = boto3.client("elbv2", region_name=REGION).describe_listeners(
            ListenerArns=[cutover.outputs["ListenerArn"]]
        )
    assert listeners["Listeners"][0]["ListenerArn"] == cutover.outputs["ListenerArn"]


@pytest.mark.parametrize("cutover_without", ["iam:PassRole"], indirect=True)
def test_without_pass_role_the_new_revision_cannot_be_registered_and_nothing_moves(
    cutover_without: LocalCutover,
) -> None:
    cutover = cutover_without
    execution = cutover.run({"image": IMAGE_V2, "strategy": "canary"}, name="no-pass-role")
    assert execution.status == "FAILED"
    assert "AccessDeniedException" in (execution.cause or "") or "iam:PassRole" in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["image"] != IMAGE_V2
    assert cutover.lock() is None
    (denial, *_) = runtime.iam.denials
    assert denial.permission.action == "iam:PassRole"
    assert denial.permission.context == {"iam:PassedToService": "ecs-tasks.amazonaws.com"}


@pytest.mark.parametrize("cutover_without", ["elasticloadbalancing:ModifyListener"], indirect=True)
def test_without_modify_listener_the_deployment_fails_and_traffic_stays_on_blue(cutover_without: LocalCutover) -> None:
    cutover = cutover_without
    execution = cutover.run({"image": IMAGE_V2, "strategy": "canary"}, name="no-modify-listener")
    assert execution.status == "FAILED"
    assert "elasticloadbalancing:ModifyListener" in (execution.cause or ""), execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert {d.permission.action for d in runtime.iam.denials} == {"elasticloadbalancing:ModifyListener"}


def test_with_autoscaling_the_bounds_are_registered_with_the_roles_permissions(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: TestRouteStandIn
) -> None:
    """RegisterScalableTarget also needs ecs:DescribeServices and ecs:UpdateService on the service."""
    autoscaling = {"min": 2, "max": 4, "cpu_target_percent": 50}
    with local_cutover(monkeypatch, test_route, autoscaling=autoscaling) as cutover:
        execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once"}, name="scaled")
        assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
        green = f"arn:aws:ecs:{REGION}:{cutover.account}:service/cutover-demo/demo-green"
        assert ("application-autoscaling:RegisterScalableTarget", "*") in runtime.iam.checked
        assert ("ecs:DescribeServices", green) in runtime.iam.checked
        assert runtime.iam.denials == []
