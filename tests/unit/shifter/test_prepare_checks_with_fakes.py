"""check_stable and check_target_health against the fakes: when the prepared side is steady
and healthy, how long the loops keep polling, and what a timeout says."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cutover.shifter.logic.errors import Aborted, StabilizationTimeout, TargetUnhealthy
from cutover.shifter.logic.state import Operation, PollLoop, WorkflowState
from cutover.shifter.steps import prepare
from tests.unit.shifter.fakes.context import TARGET_GROUPS, World, world
from tests.unit.shifter.fakes.deployment import deploying

GREEN = TARGET_GROUPS["green"]


def stabilizing(w: World, attempts: int = 0, max_attempts: int = 10) -> WorkflowState:
    w.ecs.services["app-green"].task_definition = "app-green-td:2"
    loop = PollLoop(phase="stability", attempts=attempts, max_attempts=max_attempts, wait_seconds=10)
    return deploying(w, new_task_definition="app-green-td:2", loop=loop)


def test_a_steady_side_moves_on_to_the_health_checks_at_the_same_pace() -> None:
    w = world(green_tasks=2)
    state = prepare.check_stable(stabilizing(w), w.ctx)
    assert state.loop is not None and (state.loop.phase, state.loop.attempts, state.loop.wait_seconds) == (
        "health",
        0,
        10,
    )
    assert state.timeline[-1].event == "idle side stable" and state.timeline[-1].detail == {"running": 2}


def test_a_side_still_starting_is_polled_again() -> None:
    w = world(green_tasks=2)
    w.ecs.services["app-green"].running = 1
    state = prepare.check_stable(stabilizing(w), w.ctx)
    assert state.loop is not None and (state.loop.phase, state.loop.attempts) == ("stability", 1)
    assert state.timeline == []


def test_a_side_not_steady_after_the_last_check_times_out_with_what_ecs_said() -> None:
    w = world(green_tasks=2)
    green = w.ecs.services["app-green"]
    green.running, green.deployments = 0, 2
    green.stopped_reasons = ["CannotPullContainerError: not found", "Essential container exited"]
    with pytest.raises(StabilizationTimeout) as raised:
        prepare.check_stable(stabilizing(w, attempts=9), w.ctx)
    assert str(raised.value) == (
        "app-green not steady after 10 checks: running 0/2, 2 deployment(s), task definition app-green-td:2"
        "; its tasks stopped: CannotPullContainerError: not found | Essential container exited"
    )


def test_a_rollout_the_circuit_breaker_stopped_fails_at_once() -> None:
    w = world(green_tasks=2)
    w.ecs.services["app-green"].rollout_failed = True
    with pytest.raises(StabilizationTimeout, match=r"^ECS stopped the rollout of app-green-td:2 \(circuit breaker\)$"):
        prepare.check_stable(stabilizing(w), w.ctx)


def test_an_abort_stops_the_stability_loop() -> None:
    w = world(green_tasks=2)
    state = stabilizing(w)
    assert w.table.lock is not None
    w.table.lock = replace(w.table.lock, requests=("abort",), trigger="abort requested by run-2: bad image")
    with pytest.raises(Aborted, match="bad image"):
        prepare.check_stable(state, w.ctx)


def checking_health(w: World, attempts: int = 0, max_attempts: int = 10, **changes: object) -> WorkflowState:
    loop = PollLoop(phase="health", attempts=attempts, max_attempts=max_attempts, wait_seconds=0)
    return deploying(w, loop=loop, **changes)


def test_healthy_targets_end_the_health_loop() -> None:
    w = world(green_tasks=2)
    state = prepare.check_target_health(checking_health(w), w.ctx)
    assert state.loop is not None and state.loop.phase == "done"
    assert state.timeline[-1].detail == {"healthy": 2, "unhealthy": 0}


def test_targets_not_yet_healthy_are_polled_again_at_most_every_30_seconds() -> None:
    w = world(green_tasks=2)
    w.load_balancer.not_healthy[GREEN] = {"10.0.0.9": "initial"}
    state = prepare.check_target_health(checking_health(w), w.ctx)
    assert state.loop is not None and (state.loop.phase, state.loop.attempts, state.loop.wait_seconds) == (
        "health",
        1,
        10,  # the deployment's poll interval, under the cap
    )
    slow = deploying(w).deployment.model_copy(update={"poll_interval_seconds": 60})
    state = prepare.check_target_health(checking_health(w, plan=slow), w.ctx)
    assert state.loop is not None and state.loop.wait_seconds == prepare.LOOP_WAIT_CAP_SECONDS


def test_targets_unhealthy_after_the_last_check_fail_with_each_targets_state() -> None:
    w = world(green_tasks=1)
    w.load_balancer.not_healthy[GREEN] = {"10.0.0.9": "unhealthy", "10.0.0.8": "initial"}
    with pytest.raises(TargetUnhealthy) as raised:
        prepare.check_target_health(checking_health(w, attempts=9), w.ctx)
    assert str(raised.value) == (
        "green has 1 healthy target(s) of 2 desired after 10 checks (not healthy: 10.0.0.8 initial, 10.0.0.9 unhealthy)"
    )


def test_a_forced_switch_needs_one_healthy_target_once() -> None:
    w = world(green_tasks=1)
    forced = Operation(action="switch", force=True, prepare="none", scale_down_old=False)
    state = prepare.check_target_health(checking_health(w, max_attempts=1, operation=forced), w.ctx)
    assert state.loop is not None and state.loop.phase == "done"
    w.load_balancer.healthy[GREEN] = 0
    with pytest.raises(
        TargetUnhealthy, match=r"0 healthy target\(s\) of 2 desired after 1 checks \(not healthy: none\)"
    ):
        prepare.check_target_health(checking_health(w, max_attempts=1, operation=forced), w.ctx)
