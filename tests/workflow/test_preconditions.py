"""What must fail before anything in AWS changes."""

from __future__ import annotations

import pytest

from cutover.local.runtime import LocalCutover
from tests.workflow.conftest import forward_to_a_foreign_target_group

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"


def task_definition_revisions(cutover: LocalCutover) -> list[str]:
    arns: list[str] = cutover.client("ecs").list_task_definitions()["taskDefinitionArns"]
    return arns


@pytest.mark.parametrize(
    ("execution_input", "field"),
    [
        ({"image": IMAGE_V2, "colour": "blue"}, "colour: unknown field"),
        ({"action": "teleport"}, "action: unknown action 'teleport'"),
        ({"strategy": "canary"}, "image"),
        ({"image": "app"}, "image"),
        (
            {"image": IMAGE_V2, "strategy": {"steps": [{"weight": 50}, {"weight": 50}, {"weight": 100}]}},
            "strategy.steps[1].weight",
        ),
        ({"image": IMAGE_V2, "strategy": {"steps": [{"weight": 10}, {"weight": 90}]}}, "strategy.steps"),
        ({"image": IMAGE_V2, "strategy": {"steps": [{"weight": 10.5}, {"weight": 100}]}}, "strategy.steps[0].weight"),
        ({"image": IMAGE_V2, "bake_seconds": 999_999}, "bake_seconds"),
        ({"image": IMAGE_V2, "smoke_tests": [{"path": "health"}]}, "smoke_tests[0].path"),
        ("[1, 2]", "input: expected a JSON object"),
    ],
    ids=[
        "unknown-field",
        "unknown-action",
        "missing-image",
        "bad-image",
        "weights-not-increasing",
        "last-not-100",
        "float-weight",
        "bake-too-long",
        "smoke-path",
        "not-an-object",
    ],
)
def test_invalid_input_fails_naming_the_field_and_changes_nothing(
    cutover: LocalCutover, execution_input: object, field: str
) -> None:
    revisions = task_definition_revisions(cutover)
    execution = cutover.run(execution_input, "invalid")
    assert (execution.status, execution.error) == ("FAILED", "InvalidInput")
    assert execution.cause is not None and field in execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.lock() is None
    assert cutover.deployments() == []
    assert task_definition_revisions(cutover) == revisions


def test_split_weights_with_no_deployment_running_are_inconsistent(cutover: LocalCutover) -> None:
    listener = cutover.outputs["ListenerArn"]
    groups = [cutover.outputs["BlueTargetGroupArn"], cutover.outputs["GreenTargetGroupArn"]]
    cutover.client("elbv2").modify_listener(  # what a crashed tool might leave behind
        ListenerArn=listener,
        DefaultActions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": groups[0], "Weight": 70},
                        {"TargetGroupArn": groups[1], "Weight": 30},
                    ]
                },
            }
        ],
    )
    execution = cutover.run({"image": IMAGE_V2}, "split")
    assert (execution.status, execution.error) == ("FAILED", "InconsistentTraffic")
    assert "switch" in (execution.cause or "")
    assert cutover.weights() == {"blue": 70, "green": 30}  # not guessed, not touched
    assert cutover.service("green")["desired"] == 0
    assert cutover.lock() is None


def test_traffic_to_a_target_group_cutover_does_not_own_stops_a_deployment(cutover: LocalCutover) -> None:
    foreign = forward_to_a_foreign_target_group(cutover, blue=90, foreign=10)
    execution = cutover.run({"image": IMAGE_V2}, "foreign")
    assert (execution.status, execution.error) == ("FAILED", "InconsistentTraffic")
    assert foreign in (execution.cause or "")
    listener = cutover.client("elbv2").describe_listeners(ListenerArns=[cutover.outputs["ListenerArn"]])
    groups = listener["Listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    assert {g["TargetGroupArn"]: g["Weight"] for g in groups} == {  # not touched
        cutover.outputs["BlueTargetGroupArn"]: 90,
        foreign: 10,
    }
    assert cutover.service("green")["desired"] == 0
    assert cutover.lock() is None


def test_a_second_deployment_fails_fast_naming_the_holder(cutover: LocalCutover) -> None:
    holder = "arn:aws:states:eu-west-1:123456789012:execution:cutover-demo:first"
    cutover.client("dynamodb").put_item(
        TableName=cutover.outputs["TableName"],
        Item={
            "pk": {"S": "SERVICE#demo"},
            "sk": {"S": "LOCK"},
            "owner": {"S": holder},
            "acquired_at": {"S": "2026-11-21T10:00:00+00:00"},
            "expires_at": {"N": "9999999999"},
        },
    )
    execution = cutover.run({"image": IMAGE_V2}, "second")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentInProgress")
    assert holder in (execution.cause or "")
    assert cutover.lock() is not None and cutover.lock()["owner"] == holder  # type: ignore[index]
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0


def test_a_stale_lock_past_its_expiry_is_taken_over(cutover: LocalCutover) -> None:
    cutover.client("dynamodb").put_item(
        TableName=cutover.outputs["TableName"],
        Item={
            "pk": {"S": "SERVICE#demo"},
            "sk": {"S": "LOCK"},
            "owner": {"S": "crashed-execution"},
            "acquired_at": {"S": "2026-11-01T10:00:00+00:00"},
            "expires_at": {"N": "1700000000"},
        },
    )
    execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once"}, "after-crash")
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 0, "green": 100}
