"""Deployments end to end: the synthesized state machine, the real handlers, local AWS."""

from __future__ import annotations

from cutover.local.runtime import LocalCutover

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"


def test_canary_deployment_moves_all_traffic_to_green(cutover: LocalCutover) -> None:
    before = cutover.service("blue")
    execution = cutover.run({"image": IMAGE_V2, "strategy": "canary", "reason": "ship v2"}, name="canary")
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert cutover.weights() == {"blue": 0, "green": 100}
    green = cutover.service("green")
    assert green["image"] == IMAGE_V2
    assert green["desired"] == 2
    assert cutover.service("blue")["desired"] == 0
    assert cutover.service("blue")["task_definition"] == before["task_definition"]
    assert cutover.lock() is None
    live = cutover.live_state()
    assert live["green/weight"] == "100" and live["blue/weight"] == "0"
    assert live["green/image"] == IMAGE_V2 and live["green/task-definition"] == green["task_definition"]
    (record,) = cutover.deployments()
    assert record["outcome"] == "SUCCEEDED" and record["image"] == IMAGE_V2 and record["reason"] == "ship v2"
    assert execution.output["summary"]["live_side"] == "green"
