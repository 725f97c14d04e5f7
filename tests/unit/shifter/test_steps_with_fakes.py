"""Each step against in-memory fakes of the load balancer, ECS, autoscaling and the table:
what the listener, the services and the lock look like afterwards, in milliseconds."""

from __future__ import annotations

import pytest

from cutover.shifter.logic.errors import TargetUnhealthy, WeightsNotApplied
from cutover.shifter.logic.state import Operation, RollbackProgress
from cutover.shifter.steps import finish, prepare, rollback, rollback_hooks, shift
from tests.unit.shifter.fakes.context import world
from tests.unit.shifter.fakes.deployment import deploying


@pytest.fixture(autouse=True)
def _no_metric_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


def test_prepare_sets_the_bounds_before_the_count_and_records_the_new_revision() -> None:
    w = world()
    state = prepare.prepare_idle_side(deploying(w), w.ctx)
    assert w.ecs.calls == [("set_bounds", "app-green", 4), ("update_service", "app-green", 2)]
    green = w.ecs.services["app-green"]
    assert (green.desired, green.task_definition, green.minimum, green.maximum) == (2, "app-green-td:1", 2, 4)
    assert state.new_task_definition == "app-green-td:1"
    assert w.live.values["green"] == {
        "min-capacity": "2",
        "max-capacity": "4",
        "desired-count": "2",
        "task-definition": "app-green-td:1",
        "image": "registry/app:new",
    }


def test_prepare_without_autoscaling_writes_only_the_count() -> None:
    w = world()
    prepare.prepare_idle_side(deploying(w, bounds=None), w.ctx)
    assert w.ecs.calls == [("update_service", "app-green", 2)]
    assert "min-capacity" not in w.live.values["green"]


def test_shift_puts_the_first_step_on_the_listener_and_the_lock() -> None:
    w = world(green_tasks=2)
    state = shift.shift_weights(deploying(w), w.ctx)
    assert w.load_balancer.weights == {"blue": 90, "green": 10}
    assert state.new_weight == 10 and state.step_index == 1 and not state.shifting_done
    assert w.table.lock is not None and w.table.lock.phase == "shifted:10"
    assert w.live.values["green"]["weight"] == "10" and w.live.values["blue"]["weight"] == "90"


def test_shift_refuses_to_raise_traffic_to_a_side_without_healthy_targets() -> None:
    w = world(green_tasks=0)
    with pytest.raises(TargetUnhealthy, match="traffic was not raised"):
        shift.shift_weights(deploying(w), w.ctx)
    assert w.load_balancer.weights == {"blue": 100, "green": 0}


def test_a_listener_read_that_lags_the_write_fails_the_shift_rather_than_recording_it() -> None:
    w = world(green_tasks=2)
    w.load_balancer.lagging_reads = 1
    with pytest.raises(WeightsNotApplied):
        shift.shift_weights(deploying(w), w.ctx)
    assert "green" not in w.live.values  # no weight recorded that the listener does not show


def test_scale_down_pins_the_old_side_at_zero_bounds_first() -> None:
    w = world()
    finish.scale_down_old_side(deploying(w), w.ctx)
    assert w.ecs.calls == [("set_bounds", "app-blue", 0), ("update_service", "app-blue", 0)]
    blue = w.ecs.services["app-blue"]
    assert (blue.desired, blue.minimum, blue.maximum) == (0, 0, 0)


def test_a_switch_leaves_the_old_side_warm() -> None:
    w = world()
    finish.scale_down_old_side(deploying(w, operation=Operation(action="switch", scale_down_old=False)), w.ctx)
    assert w.ecs.calls == [] and w.ecs.services["app-blue"].desired == 2


def test_finish_records_success_notifies_and_releases_the_lock() -> None:
    w = world(blue_weight=0, green_tasks=2)
    state = finish.finish(deploying(w, new_task_definition="app-green-td:2"), w.ctx)
    assert state.outcome is not None and state.outcome.status == "SUCCEEDED"
    assert w.table.lock is None
    assert [r.outcome for r in w.table.records] == ["SUCCEEDED"]
    assert w.notifier.messages[0][0] == "Cutover app: registry/app:new is live on green"


def test_rollback_puts_all_traffic_back_on_the_old_side_first() -> None:
    w = world(blue_weight=90, green_tasks=2)
    state = rollback.rollback(deploying(w, new_weight=10, new_task_definition="app-green-td:2"), w.ctx)
    assert w.load_balancer.weights == {"blue": 100, "green": 0}
    assert state.rolling_back is not None
    assert state.rolling_back.traffic_restored and state.rolling_back.scale_down
    assert state.rolling_back.wait_seconds == 5  # the ALB propagation delay before scale-down
    assert w.ecs.services["app-green"].desired == 2  # not yet: part 2 scales it down


def test_rollback_never_sends_traffic_to_an_old_side_without_tasks() -> None:
    w = world(blue_weight=90, blue_tasks=0, green_tasks=2)
    with pytest.raises(TargetUnhealthy, match="has no tasks"):
        rollback.rollback(deploying(w, new_weight=10), w.ctx)
    assert w.load_balancer.weights == {"blue": 90, "green": 10}


def test_finish_rollback_scales_the_new_side_down_and_releases_the_lock() -> None:
    w = world(green_tasks=2)
    progress = RollbackProgress(
        trigger="AlarmFired", message="green-5xx", traffic_restored=True, scale_down=True, wait_seconds=5
    )
    state = rollback.finish_rollback(deploying(w, rolling_back=progress), w.ctx)
    assert w.ecs.calls == [("set_bounds", "app-green", 0), ("update_service", "app-green", 0)]
    assert state.outcome is not None and state.outcome.status == "ROLLED_BACK"
    assert w.table.lock is None
    assert "rolled back registry/app:new (AlarmFired)" in w.notifier.messages[0][0]
    # What its on_rollback hooks receive: null for what the rollback does not know.
    assert state.rollback_hook_payload is not None
    assert state.rollback_hook_payload | {"execution": None} == {
        "hook": "on_rollback",
        "service": w.ctx.env.service_name,
        "execution": None,
        "image": "registry/app:new",
        "new_side": "green",
        "old_side": "blue",
        "new_task_definition": None,
        "reason": "test",
        "trigger": "AlarmFired",
        "cause": "green-5xx",
    }


def test_a_failure_before_any_change_is_failed_not_rolled_back() -> None:
    w = world()
    progress = RollbackProgress(
        trigger="TargetUnhealthy", message="no", traffic_restored=False, scale_down=False, wait_seconds=0
    )
    state = rollback.finish_rollback(deploying(w, rolling_back=progress), w.ctx)
    assert state.outcome is not None and state.outcome.status == "FAILED"
    assert w.ecs.calls == [] and w.table.lock is None
    assert state.rollback_hook_payload is None  # nothing to undo: no on_rollback hooks


def test_a_failed_on_rollback_hook_is_added_to_the_history_record_and_announced() -> None:
    w = world(green_tasks=2)
    progress = RollbackProgress(
        trigger="AlarmFired", message="green-5xx", traffic_restored=True, scale_down=True, wait_seconds=5
    )
    rolled_back = rollback.finish_rollback(deploying(w, rolling_back=progress), w.ctx)
    timed_out = rolled_back.model_copy(update={"hook_result": {"Error": "States.Timeout", "Cause": None}})
    state = rollback_hooks.record_rollback_hook(timed_out, "flags-off", w.ctx)
    assert state.outcome == rolled_back.outcome and state.hook_result is None
    record = w.table.records[-1]
    assert record.outcome == "ROLLED_BACK"
    assert [(f.hook, f.failure) for f in record.hook_failures] == [("flags-off", "States.Timeout")]
    subject, body = w.notifier.messages[-1]
    assert subject.endswith("on_rollback hook flags-off failed")
    assert (body["event"], body["hook_failure"]) == ("rollback_hook_failed", "States.Timeout")


@pytest.mark.parametrize(
    ("answer", "failure"),
    [
        ({"status": "FAILED", "reason": "flag service down"}, "answered FAILED: flag service down"),
        ({"status": "FAILED", "reason": 42}, "answered FAILED without a reason"),
        ({"Error": "HookError", "Cause": '{"errorMessage": "boom", "errorType": "HookError"}'}, "HookError: boom"),
        (["no"], 'unexpected answer ["no"]'),
    ],
)
def test_an_on_rollback_hook_failure_is_described_from_its_answer_or_its_error(answer: object, failure: str) -> None:
    assert rollback_hooks.describe_failure(answer) == failure
