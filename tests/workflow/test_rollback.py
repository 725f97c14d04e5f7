"""Deployments that must roll back by themselves, and the alarm that must not."""

from __future__ import annotations

from typing import Any

import pytest
from moto.elbv2 import models as elbv2_models

from cutover.local import ecs_emulation
from cutover.local.runtime import Execution, LocalCutover
from cutover.local.test_route_stand_in import SideBehaviour, TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from tests.workflow.conftest import Notifications, wait_for_lock

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
# A long bake (an hour, compressed to ~4 s) leaves time to act during the first bake.
LONG_FIRST_BAKE = {"image": IMAGE_V2, "strategy": "canary", "bake_seconds": 3600}


def assert_rolled_back_to_blue(cutover: LocalCutover, execution: Execution, trigger: str) -> None:
    assert execution.status == "FAILED"
    assert execution.error == "DeploymentRolledBack"
    assert execution.cause is not None and trigger in execution.cause
    assert "Traffic is 100 % on blue" in execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0
    assert cutover.service("blue")["desired"] == 2
    assert cutover.lock() is None
    live = cutover.live_state()
    assert (live["blue/weight"], live["green/weight"], live["green/desired-count"]) == ("100", "0", "0")
    (record,) = cutover.deployments()
    assert record.outcome == "ROLLED_BACK" and trigger in (record.trigger or "")


def in_first_bake(lock: dict[str, object]) -> bool:
    return lock.get("task_key") == "step:0"


def test_alarm_event_during_first_bake_rolls_back_at_once(cutover: LocalCutover, notifications: Notifications) -> None:
    arn = cutover.start(LONG_FIRST_BAKE, "alarm-event")
    wait_for_lock(cutover, in_first_bake)
    assert cutover.weights() == {"blue": 90, "green": 10}
    cutover.set_alarm("cutover-demo-green-5xx", "ALARM", reason="5 errors in 1 minute")
    # The poll branch may see the alarm before the event arrives (event delivery has no
    # latency promise): either path rolls back, and both report CloudWatch's reason.
    answer = cutover.deliver_alarm_event("cutover-demo-green-5xx")
    assert answer["alarm"] == "cutover-demo-green-5xx" and answer["action"] in {"rollback", "too-late", "recorded"}
    execution = cutover.wait(arn)
    assert_rolled_back_to_blue(cutover, execution, "cutover-demo-green-5xx")
    assert "5 errors in 1 minute" in (execution.cause or "")
    subjects = [m["subject"] for m in notifications.messages()]
    assert subjects[-1] == f"Cutover demo: rolled back {IMAGE_V2} (AlarmFired)"
    body = notifications.messages()[-1]["body"]
    assert body["weights"] == {"green": 0, "blue": 100} and "cutover-demo-green-5xx" in body["cause"]


def test_rollback_scales_the_new_side_down_only_after_the_alb_propagation_delay(
    cutover: LocalCutover, recorder: TimeRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ALB applies a listener change to its nodes over seconds: scaling green down right
    after the weights are restored would 503 the requests a node still routes there. The
    clock here is the sum of the ASL waits requested so far (compressed in local runs)."""
    events: list[tuple[str, float]] = []
    modify_listener = elbv2_models.ELBv2Backend.modify_listener

    def observed_modify_listener(self: Any, *args: Any, **kwargs: Any) -> Any:
        events.append(("ModifyListener", sum(recorder.waits)))
        return modify_listener(self, *args, **kwargs)

    monkeypatch.setattr(elbv2_models.ELBv2Backend, "modify_listener", observed_modify_listener)
    ecs_emulation.observe(lambda service, desired, *_: events.append((f"{service}={desired}", sum(recorder.waits))))
    arn = cutover.start(LONG_FIRST_BAKE, "propagation-before-scale-down")
    wait_for_lock(cutover, in_first_bake)
    cutover.set_alarm("cutover-demo-green-5xx", "ALARM", reason="5 errors in 1 minute")
    cutover.deliver_alarm_event("cutover-demo-green-5xx")
    execution = cutover.wait(arn)
    assert_rolled_back_to_blue(cutover, execution, "cutover-demo-green-5xx")
    restored_at = max(at for what, at in events if what == "ModifyListener")
    scaled_down_at = next(at for what, at in events if what == "demo-green=0")
    assert scaled_down_at - restored_at >= 60  # alb_propagation_seconds (the default)


def test_alarm_without_event_is_caught_by_polling(cutover: LocalCutover) -> None:
    arn = cutover.start(LONG_FIRST_BAKE, "alarm-poll")
    wait_for_lock(cutover, in_first_bake)
    cutover.set_alarm("cutover-demo-green-latency-p99", "ALARM")  # no event delivered
    execution = cutover.wait(arn)
    assert_rolled_back_to_blue(cutover, execution, "cutover-demo-green-latency-p99 in ALARM at 10 % on green")


def test_alarm_on_the_old_side_never_rolls_back(cutover: LocalCutover) -> None:
    cutover.set_alarm("cutover-demo-blue-5xx", "ALARM")  # the bug being fixed by this deployment
    arn = cutover.start(LONG_FIRST_BAKE, "old-side-alarm")
    wait_for_lock(cutover, in_first_bake)
    answer = cutover.deliver_alarm_event("cutover-demo-blue-5xx")
    assert answer["action"] == "ignored"
    execution = cutover.wait(arn)
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 0, "green": 100}


def test_new_side_alarm_already_firing_stops_before_any_shift(cutover: LocalCutover) -> None:
    cutover.set_alarm("cutover-demo-green-unhealthy-hosts", "ALARM")
    execution = cutover.run({"image": IMAGE_V2}, "already-firing")
    assert (execution.status, execution.error) == ("FAILED", "AlarmAlreadyFiring")
    assert "cutover-demo-green-unhealthy-hosts" in (execution.cause or "")
    assert "Nothing was changed" in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0
    assert cutover.lock() is None


def test_unhealthy_targets_on_the_idle_side_shift_nothing(cutover: LocalCutover) -> None:
    cutover.set_target_health("green", "unhealthy")
    execution = cutover.run({"image": IMAGE_V2}, "unhealthy")
    assert_rolled_back_to_blue(cutover, execution, "TargetUnhealthy")
    assert "0 healthy target(s) of 2 desired" in (execution.cause or "")
    (record,) = cutover.deployments()
    assert not [e for e in record.timeline if e.event == "weights shifted"]


def test_targets_lost_during_a_bake_stop_the_next_raise_and_roll_back(cutover: LocalCutover) -> None:
    """Health is verified right before every ModifyListener that raises the new side's
    weight, not only before the first: green's tasks fail during the 10 % bake, so the
    shift to 100 % must not happen."""
    arn = cutover.start(LONG_FIRST_BAKE, "targets-lost-mid-bake")
    wait_for_lock(cutover, in_first_bake)
    cutover.set_target_health("green", "unhealthy")  # as ELB reports failing health checks
    execution = cutover.wait(arn)
    assert_rolled_back_to_blue(cutover, execution, "TargetUnhealthy")
    assert "0 healthy target(s) of 2 desired right before its weight would rise to 100 %" in (execution.cause or "")
    (record,) = cutover.deployments()
    shifted = [e.detail["weights"] for e in record.timeline if e.event == "weights shifted"]
    assert shifted == [{"blue": 90, "green": 10}]


@pytest.mark.parametrize(
    ("behaviour", "smoke_test", "expected"),
    [
        (SideBehaviour(status=503), {"path": "/"}, "GET /: status 503, expected 200"),
        (SideBehaviour(delay_seconds=0.3), {"path": "/", "max_latency_ms": 100}, "over the 100 ms limit"),
        (
            SideBehaviour(body={"result": {"tools": []}}),
            {
                "path": "/mcp",
                "method": "POST",
                "body": {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                "expect_json": {"result": {"tools": [{"name": "search_appointments"}]}},
            },
            "JSON does not match",
        ),
    ],
    ids=["status", "latency", "json"],
)
def test_smoke_test_failure_rolls_back_before_traffic_moves(
    cutover: LocalCutover,
    test_route: TestRouteStandIn,
    behaviour: SideBehaviour,
    smoke_test: dict[str, object],
    expected: str,
) -> None:
    test_route.sides["green"] = behaviour
    execution = cutover.run({"image": IMAGE_V2, "smoke_tests": [smoke_test]}, "smoke")
    assert_rolled_back_to_blue(cutover, execution, "SmokeTestFailed")
    assert expected in (execution.cause or "")
    assert all(side == "green" for side, _path, _token in test_route.requests)


def test_abort_request_during_a_bake_rolls_back(cutover: LocalCutover) -> None:
    arn = cutover.start(LONG_FIRST_BAKE, "abort")
    wait_for_lock(cutover, in_first_bake)
    # What `cutover abort` leaves for the running deployment (the action itself comes later).
    cutover.client("dynamodb").update_item(
        TableName=cutover.outputs["TableName"],
        Key={"pk": {"S": "SERVICE#demo"}, "sk": {"S": "LOCK"}},
        UpdateExpression="ADD requests :abort",
        ExpressionAttributeValues={":abort": {"SS": ["abort"]}},
    )
    execution = cutover.wait(arn)
    assert_rolled_back_to_blue(cutover, execution, "Aborted")
