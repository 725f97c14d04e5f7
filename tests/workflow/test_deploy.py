"""Deployments that succeed: each strategy, pause and promote, CodePipeline input."""

from __future__ import annotations

from typing import Any

from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from tests.workflow.conftest import Notifications, wait_for_lock

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
DIGEST = "sha256:" + "a" * 64


def shifted_weights(cutover: LocalCutover) -> list[int]:
    """The new side's weight after each shift, from the deployment's history record."""
    (record,) = cutover.deployments()
    return [event.detail["weights"]["green"] for event in record.timeline if event.event == "weights shifted"]


def assert_green_live(cutover: LocalCutover, image: str) -> dict[str, Any]:
    assert cutover.weights() == {"blue": 0, "green": 100}
    green = cutover.service("green")
    assert green["image"] == image and green["desired"] == 2
    assert cutover.service("blue")["desired"] == 0
    assert cutover.lock() is None
    live = cutover.live_state()
    assert (live["green/weight"], live["blue/weight"]) == ("100", "0")
    assert (live["green/image"], live["green/task-definition"]) == (image, green["task_definition"])
    assert (live["green/desired-count"], live["blue/desired-count"]) == ("2", "0")
    return green


def test_canary_moves_all_traffic_to_green_and_keeps_blue_as_it_was(
    cutover: LocalCutover, recorder: TimeRecorder, notifications: Notifications, test_route: TestRouteStandIn
) -> None:
    blue_before = cutover.service("blue")
    execution = cutover.run({"image": IMAGE_V2, "strategy": "canary", "reason": "ship v2"}, name="canary")
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert_green_live(cutover, IMAGE_V2)
    assert cutover.service("blue")["task_definition"] == blue_before["task_definition"]
    assert shifted_weights(cutover) == [10, 100]
    (record,) = cutover.deployments()
    assert (record.outcome, record.image, record.reason) == ("SUCCEEDED", IMAGE_V2, "ship v2")
    assert (record.from_side, record.to_side) == ("blue", "green")
    assert execution.output["summary"]["live_side"] == "green"
    # Bakes of 300 s at a 60 s poll interval after each shift, then the 900 s termination wait.
    assert sum(recorder.waits) >= 300 + 300 + 900
    # The smoke test went through the protected test route to green.
    assert ("green", "/", "cutover-local-test-token") in test_route.requests
    subjects = [m["subject"] for m in notifications.messages()]
    assert subjects == [f"Cutover demo: deploying {IMAGE_V2} to green", f"Cutover demo: {IMAGE_V2} is live on green"]


def test_linear_shifts_in_equal_steps(cutover: LocalCutover) -> None:
    execution = cutover.run({"image": IMAGE_V2, "strategy": "linear", "linear_step": 25, "bake_seconds": 60}, "linear")
    assert execution.status == "SUCCEEDED", execution.cause
    assert shifted_weights(cutover) == [25, 50, 75, 100]
    assert_green_live(cutover, IMAGE_V2)


def test_all_at_once_shifts_once(cutover: LocalCutover) -> None:
    execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once", "bake_seconds": 0}, "all-at-once")
    assert execution.status == "SUCCEEDED", execution.cause
    assert shifted_weights(cutover) == [100]
    assert_green_live(cutover, IMAGE_V2)


def test_explicit_steps_and_a_second_deployment_goes_back_to_blue(cutover: LocalCutover) -> None:
    steps = {"steps": [{"weight": 5, "bake_seconds": 30}, {"weight": 30, "bake_seconds": 30}, {"weight": 100}]}
    first = cutover.run({"image": IMAGE_V2, "strategy": steps, "termination_wait_seconds": 0}, "steps")
    assert first.status == "SUCCEEDED", first.cause
    assert shifted_weights(cutover) == [5, 30, 100]
    image_v3 = IMAGE_V2.replace(":v2", ":v3")
    second = cutover.run({"image": image_v3, "strategy": "all-at-once"}, "back-to-blue")
    assert second.status == "SUCCEEDED", second.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("blue")["image"] == image_v3
    assert cutover.service("green")["desired"] == 0
    assert len(cutover.deployments()) == 2


def test_pause_holds_until_promote_then_goes_to_100(cutover: LocalCutover, notifications: Notifications) -> None:
    steps = {
        "steps": [{"weight": 10, "bake_seconds": 60}, {"weight": 50, "pause": True}, {"weight": 80}, {"weight": 100}]
    }
    arn = cutover.start({"image": IMAGE_V2, "strategy": steps}, "pause")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:1")  # holding at 50 %
    assert cutover.weights() == {"blue": 50, "green": 50}
    assert cutover.describe(arn).status == "RUNNING"
    # What `cutover promote` does: a promote request on the running deployment's lock.
    cutover.client("dynamodb").update_item(
        TableName=cutover.outputs["TableName"],
        Key={"pk": {"S": "SERVICE#demo"}, "sk": {"S": "LOCK"}},
        UpdateExpression="ADD requests :promote",
        ExpressionAttributeValues={":promote": {"SS": ["promote"]}},
    )
    execution = cutover.wait(arn)
    assert execution.status == "SUCCEEDED", execution.cause
    assert shifted_weights(cutover) == [10, 50, 100]  # 80 % was skipped
    assert execution.output["summary"]["promoted"] is True
    assert_green_live(cutover, IMAGE_V2)
    assert any("paused at 50 %" in m["subject"] for m in notifications.messages())


def test_codepipeline_image_detail_is_a_deploy_with_defaults(cutover: LocalCutover) -> None:
    image = f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@{DIGEST}"
    image_detail = {
        "ImageSizeInBytes": "50801513",
        "ImageDigest": DIGEST,
        "Version": "1.0",
        "ImagePushedAt": "Mon Jan 21 20:04:00 UTC 2019",
        "RegistryId": "123456789012",
        "RepositoryName": "app",
        "ImageURI": image,
        "ImageTags": ["v2"],
    }
    execution = cutover.run(image_detail, "pipeline")
    assert execution.status == "SUCCEEDED", execution.cause
    assert_green_live(cutover, image)
    assert shifted_weights(cutover) == [10, 100]  # the stack's default strategy: canary 10 %
    (record,) = cutover.deployments()
    assert record.reason == "CodePipeline: app:v2"
