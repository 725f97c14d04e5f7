"""Manual actions, as a person sends them from the console or the CLI, in each state."""

from __future__ import annotations

import threading
from typing import Any

from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import SideBehaviour, TestRouteStandIn
from cutover.shifter.adapters import aws_clients
from tests.workflow.conftest import Notifications, wait_for_lock

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
LONG_BAKE = {"image": IMAGE_V2, "strategy": "canary", "bake_seconds": 3600}


def shifted_weights(cutover: LocalCutover, execution_name: str) -> list[int]:
    record = next(r for r in cutover.deployments() if r.execution.endswith(f":{execution_name}"))
    side = record.to_side
    assert side is not None
    return [e.detail["weights"][side] for e in record.timeline if e.event == "weights shifted"]


def deploy_v2(cutover: LocalCutover) -> None:
    done = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once", "termination_wait_seconds": 0}, "v2")
    assert done.status == "SUCCEEDED", done.cause
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.service("blue")["desired"] == 0  # the old side is cold now


def scale_up(cutover: LocalCutover, side: str, count: int) -> None:
    """An operator scaling a side by hand, on the revision it already runs."""
    service = cutover.outputs[f"{side.capitalize()}ServiceName"]
    cutover.client("ecs").update_service(cluster=cutover.outputs["ClusterName"], service=service, desiredCount=count)


# ---------------------------------------------------------------- promote
def test_promote_during_a_pause_goes_to_100(cutover: LocalCutover, notifications: Notifications) -> None:
    steps = {"steps": [{"weight": 20, "pause": True}, {"weight": 60}, {"weight": 100}]}
    arn = cutover.start({"image": IMAGE_V2, "strategy": steps}, "paused")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")
    promote = cutover.run({"action": "promote", "reason": "looks good"}, "promote")
    assert promote.status == "SUCCEEDED", promote.cause
    assert promote.output["summary"]["deployment"] == arn
    deployment = cutover.wait(arn)
    assert deployment.status == "SUCCEEDED", deployment.cause
    assert shifted_weights(cutover, "paused") == [20, 100]
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert any("promote requested" in m["subject"] for m in notifications.messages())
    assert any(r.action == "promote" for r in cutover.deployments())  # manual actions are history too


def test_promote_mid_bake_skips_the_remaining_bakes(cutover: LocalCutover) -> None:
    arn = cutover.start({"image": IMAGE_V2, "strategy": "linear", "linear_step": 20, "bake_seconds": 3600}, "mid-bake")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")
    assert cutover.run({"action": "promote"}, "promote").status == "SUCCEEDED"
    deployment = cutover.wait(arn)
    assert deployment.status == "SUCCEEDED", deployment.cause
    assert shifted_weights(cutover, "mid-bake") == [20, 100]


def test_promote_or_abort_with_nothing_running_fails_clearly(cutover: LocalCutover) -> None:
    for action in ("promote", "abort"):
        execution = cutover.run({"action": action}, action)
        assert (execution.status, execution.error) == ("FAILED", "NoDeploymentRunning")
        assert "no deployment of demo is running" in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}


# ---------------------------------------------------------------- abort
def test_abort_mid_bake_rolls_back_at_once(cutover: LocalCutover) -> None:
    arn = cutover.start(LONG_BAKE, "to-abort")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")
    abort = cutover.run({"action": "abort", "reason": "wrong build"}, "abort")
    assert abort.status == "SUCCEEDED", abort.cause
    assert abort.output["summary"]["delivered"] == "at once"  # the bake's task token was failed
    deployment = cutover.wait(arn)
    assert (deployment.status, deployment.error) == ("FAILED", "DeploymentRolledBack")
    assert "abort requested by abort: wrong build" in (deployment.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0


def test_a_bake_poll_that_sees_the_abort_also_sees_its_reason(cutover: LocalCutover) -> None:
    """The abort's request and its cause reach the lock in one write. They were two writes, and a
    bake poll that ran between them rolled back with the cause "abort requested", without who
    asked or why (seen once in a full run). Every lock state a concurrent poll could read is
    recorded here from the shifter's own DynamoDB client, right after each of its writes."""
    arn = cutover.start(LONG_BAKE, "abort-reason")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")
    observed: list[dict[str, Any]] = []

    def record(parsed: dict[str, Any], **_: Any) -> None:
        if "Attributes" in parsed:
            observed.append(parsed["Attributes"])

    client = aws_clients.dynamodb()
    client.meta.events.register("after-call.dynamodb.UpdateItem", record)
    try:
        assert cutover.run({"action": "abort", "reason": "wrong build"}, "abort").status == "SUCCEEDED"
    finally:
        client.meta.events.unregister("after-call.dynamodb.UpdateItem", record)
    aborted = [item for item in observed if "abort" in item.get("requests", {}).get("SS", [])]
    assert aborted, observed
    assert all("wrong build" in item.get("trigger", {}).get("S", "") for item in aborted), aborted
    deployment = cutover.wait(arn)
    assert "abort requested by abort: wrong build" in (deployment.cause or "")


def test_abort_during_smoke_tests_moves_no_traffic(cutover: LocalCutover, test_route: TestRouteStandIn) -> None:
    # The smoke test is held in flight until the abort is delivered. A 0.5 s delay was not
    # enough on a loaded machine: the smoke test ended, the canary bake began, and the abort
    # failed its token "at once" (seen under 2 xdist workers).
    in_flight = threading.Event()
    test_route.sides["green"] = SideBehaviour(hold=in_flight)
    slow_but_fine = [{"path": "/", "max_latency_ms": 30_000}]
    arn = cutover.start({"image": IMAGE_V2, "smoke_tests": slow_but_fine}, "slow-smoke")
    wait_for_lock(cutover, lambda lock: any(side == "green" for side, _, _ in test_route.requests))
    try:
        delivered = cutover.run({"action": "abort"}, "abort").output["summary"]["delivered"]
    finally:
        in_flight.set()
    assert delivered == "at its next check"
    deployment = cutover.wait(arn)
    assert (deployment.status, deployment.error) == ("FAILED", "DeploymentRolledBack")
    assert "Aborted" in (deployment.cause or "")
    assert shifted_weights(cutover, "slow-smoke") == []
    assert cutover.weights() == {"blue": 100, "green": 0}


# ---------------------------------------------------------------- rollback
def test_rollback_while_a_deployment_runs_aborts_it(cutover: LocalCutover) -> None:
    arn = cutover.start(LONG_BAKE, "running")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")
    rolled = cutover.run({"action": "rollback"}, "rollback")
    assert rolled.status == "SUCCEEDED", (rolled.error, rolled.cause)
    assert cutover.wait(arn).error == "DeploymentRolledBack"
    assert cutover.weights() == {"blue": 100, "green": 0}


def test_rollback_within_the_warm_window_aborts_the_final_wait(cutover: LocalCutover) -> None:
    arn = cutover.start({"image": IMAGE_V2, "strategy": "all-at-once", "termination_wait_seconds": 7200}, "warm")
    wait_for_lock(cutover, lambda lock: str(lock.get("task_key", "")).startswith("final"))
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.service("blue")["desired"] == 2  # still warm
    assert cutover.run({"action": "rollback"}, "rollback").status == "SUCCEEDED"
    assert cutover.wait(arn).error == "DeploymentRolledBack"
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0


def test_rollback_after_the_warm_window_scales_the_old_side_up_first(cutover: LocalCutover) -> None:
    blue_revision = cutover.service("blue")["task_definition"]
    deploy_v2(cutover)
    execution = cutover.run({"action": "rollback", "reason": "v2 leaks memory"}, "rollback")
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    blue = cutover.service("blue")
    assert (blue["desired"], blue["task_definition"]) == (2, blue_revision)  # its earlier revision, scaled up
    assert cutover.service("green")["desired"] == 2  # left warm: a switch can undo the rollback
    assert cutover.lock() is None
    record = next(r for r in cutover.deployments() if r.action == "rollback")
    assert (record.outcome, record.to_side, record.reason) == ("SUCCEEDED", "blue", "v2 leaks memory")


def test_rollback_returns_to_what_ran_before_the_last_success_not_a_failed_attempt(
    cutover: LocalCutover, test_route: TestRouteStandIn
) -> None:
    original = cutover.service("blue")
    deploy_v2(cutover)
    test_route.sides["blue"] = SideBehaviour(status=500)  # v3 fails its smoke tests on blue
    failed = cutover.run({"image": IMAGE_V2.replace(":v2", ":v3")}, "v3")
    assert failed.error == "DeploymentRolledBack"
    assert cutover.live_state()["blue/image"].endswith(":v3")  # blue was prepared with v3, then scaled to 0
    test_route.sides["blue"] = SideBehaviour()
    execution = cutover.run({"action": "rollback"}, "rollback")
    assert execution.status == "SUCCEEDED", execution.cause
    blue = cutover.service("blue")
    assert (blue["task_definition"], blue["image"]) == (original["task_definition"], original["image"])
    assert cutover.live_state()["blue/image"] == original["image"]
    assert cutover.weights() == {"blue": 100, "green": 0}
    undo = cutover.run({"action": "switch", "to": "green"}, "undo")
    assert undo.status == "SUCCEEDED", undo.cause
    assert cutover.weights() == {"blue": 0, "green": 100}


def test_rollback_with_no_earlier_deployment_has_nothing_to_do(cutover: LocalCutover) -> None:
    execution = cutover.run({"action": "rollback"}, "rollback")
    assert (execution.status, execution.error) == ("FAILED", "NothingToRollBack")
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.lock() is None


# ---------------------------------------------------------------- switch
def test_switch_moves_all_traffic_and_leaves_the_other_side_warm(cutover: LocalCutover) -> None:
    scale_up(cutover, "green", 2)
    execution = cutover.run({"action": "switch", "to": "green"}, "switch")
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.service("blue")["desired"] == 2
    back = cutover.run({"action": "switch", "to": "blue"}, "switch-back")
    assert back.status == "SUCCEEDED", back.cause
    assert cutover.weights() == {"blue": 100, "green": 0}


def test_switch_to_the_live_side_is_already_done(cutover: LocalCutover) -> None:
    execution = cutover.run({"action": "switch", "to": "blue"}, "noop")
    assert execution.status == "SUCCEEDED"
    assert "already has 100 %" in execution.output["cause"]
    assert cutover.lock() is None


def test_switch_repairs_split_weights(cutover: LocalCutover) -> None:
    groups = [cutover.outputs["BlueTargetGroupArn"], cutover.outputs["GreenTargetGroupArn"]]
    cutover.client("elbv2").modify_listener(
        ListenerArn=cutover.outputs["ListenerArn"],
        DefaultActions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": groups[0], "Weight": 60},
                        {"TargetGroupArn": groups[1], "Weight": 40},
                    ]
                },
            }
        ],
    )
    execution = cutover.run({"action": "switch", "to": "blue"}, "repair-split")
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}


def test_switch_is_refused_on_a_side_with_no_healthy_targets_even_forced(cutover: LocalCutover) -> None:
    deploy_v2(cutover)
    for force in (False, True):  # blue is cold: desired 0
        execution = cutover.run({"action": "switch", "to": "blue", "force": force}, f"cold-{force}")
        assert (execution.status, execution.error) == ("FAILED", "TargetUnhealthy")
        assert cutover.weights() == {"blue": 0, "green": 100}
    scale_up(cutover, "blue", 2)
    cutover.set_target_health("blue", "unhealthy")
    forced = cutover.run({"action": "switch", "to": "blue", "force": True}, "unhealthy-forced")
    assert (forced.status, forced.error) == ("FAILED", "TargetUnhealthy")
    assert "0 healthy target(s)" in (forced.cause or "")
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.service("blue")["desired"] == 2  # a failed switch leaves the side as it was


def test_force_skips_smoke_tests_but_a_plain_switch_runs_them(
    cutover: LocalCutover, test_route: TestRouteStandIn
) -> None:
    scale_up(cutover, "green", 2)
    test_route.sides["green"] = SideBehaviour(status=500)
    plain = cutover.run({"action": "switch", "to": "green"}, "plain")
    assert (plain.status, plain.error) == ("FAILED", "SmokeTestFailed")
    assert "Nothing was changed" in (plain.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}
    forced = cutover.run({"action": "switch", "to": "green", "force": True}, "forced")
    assert forced.status == "SUCCEEDED", forced.cause
    assert cutover.weights() == {"blue": 0, "green": 100}
