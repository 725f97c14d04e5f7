"""shift_weights, finish and rollback against the fakes, for the branches the main flow does
not take: a promote, a pause step, a switch and a repair finishing, a rollback that finds
the traffic already restored or that failed before any side was chosen."""

from __future__ import annotations

import pytest

from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.plan import PlanStep
from cutover.shifter.logic.state import CaughtError, Operation, Outcome, RollbackProgress
from cutover.shifter.readers.lock import Lock
from cutover.shifter.steps import finish, prepare, rollback, shift
from tests.unit.shifter.fakes.context import world
from tests.unit.shifter.fakes.deployment import EXECUTION, deploying, plan


@pytest.fixture(autouse=True)
def _no_metric_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


def test_a_promote_skips_to_the_last_step_and_every_remaining_bake() -> None:
    w = world(green_tasks=2)
    state = deploying(w)
    assert w.table.lock is not None
    w.table.lock = Lock(owner=EXECUTION, acquired_at="x", expires_at=2_000_000_000, requests=("promote",))
    state = shift.shift_weights(state, w.ctx)
    assert w.load_balancer.weights == {"blue": 0, "green": 100}
    assert state.promoted and state.shifting_done and state.bake is None and state.step_index == 2


def test_a_pause_step_waits_for_a_promote_and_says_so() -> None:
    w = world(green_tasks=2)
    paused = plan(PlanStep(weight=20, bake_seconds=0, pause=True), PlanStep(weight=100, bake_seconds=0, pause=False))
    state = shift.shift_weights(deploying(w, plan=paused), w.ctx)
    assert state.bake is not None and (state.bake.pause, state.bake.seconds) == (True, 3600)
    subject, body = w.notifier.messages[-1]
    assert subject == "Cutover app: paused at 20 % on green, waiting for promote"
    assert (body["event"], body["weights"]) == ("paused", {"green": 20, "blue": 80})


def test_a_step_without_a_bake_goes_straight_on() -> None:
    w = world(green_tasks=2)
    unbaked = plan(PlanStep(weight=50, bake_seconds=0, pause=False), PlanStep(weight=100, bake_seconds=0, pause=False))
    assert shift.shift_weights(deploying(w, plan=unbaked), w.ctx).bake is None


def test_a_bake_the_judge_may_extend_or_pause_keeps_its_token_alive_that_long() -> None:
    w = world(green_tasks=2)
    judged = JudgeConfig.model_validate({"mode": "on", "on_inconclusive": {"action": "extend", "then": "pause"}})
    state = shift.shift_weights(deploying(w, plan=plan(analysis=judged)), w.ctx)
    assert state.bake is not None
    extra = judged.extra_wait_seconds() + 3600  # every extension, then the longest pause
    assert state.bake.token_timeout_seconds == 60 + extra + shift.TOKEN_TIMEOUT_MARGIN_SECONDS


def test_lowering_the_weight_needs_no_healthy_targets() -> None:
    w = world(blue_weight=0, green_tasks=0)  # e.g. a step back down
    lower = plan(PlanStep(weight=100, bake_seconds=0, pause=False))
    state = shift.shift_weights(deploying(w, plan=lower, new_weight=100), w.ctx)
    assert state.shifting_done and w.load_balancer.weights == {"blue": 0, "green": 100}


def test_the_traffic_weight_metric_names_the_service_and_each_side(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "cutover")
    w = world(green_tasks=2)
    shift.apply_weights(w.ctx, "green", 10)
    emitted = capsys.readouterr().out
    assert emitted.count('"TrafficWeight"') >= 2
    assert '"Side": "green"' in emitted.replace('":"', '": "') and '"Service": "app"' in emitted.replace('":"', '": "')


def test_a_rollback_prepares_a_cold_side_on_its_earlier_revision() -> None:
    w = world()
    reuse = Operation(action="rollback", prepare="reuse", scale_down_old=False, to="green")
    state = prepare.prepare_idle_side(deploying(w, operation=reuse, new_task_definition="app-green-td:1"), w.ctx)
    assert w.ecs.revisions == 0  # nothing registered
    assert state.new_task_definition == "app-green-td:1" and w.ecs.services["app-green"].desired == 2


def test_a_cold_side_without_a_revision_in_the_state_takes_the_recorded_one() -> None:
    w = world()
    w.live.values["green"] = {"weight": "0", "task-definition": "app-green-td:5", "image": "x", "desired-count": "0"}
    reuse = Operation(action="rollback", prepare="reuse", scale_down_old=False, to="green")
    state = prepare.prepare_idle_side(deploying(w, operation=reuse), w.ctx)
    assert (
        state.new_task_definition == "app-green-td:5"
        and w.ecs.services["app-green"].task_definition == "app-green-td:5"
    )


# --------------------------------------------------------------------------------- finish


def test_an_action_already_done_only_releases_the_lock() -> None:
    w = world()
    done = Outcome(status="SUCCEEDED", cause="blue already has 100 % of production traffic")
    switch = Operation(action="switch", to="blue", prepare="none", scale_down_old=False)
    state = finish.finish(deploying(w, operation=switch, handled=True, outcome=done), w.ctx)
    assert state.outcome == done and w.table.lock is None
    assert w.table.records == [] and w.notifier.messages == []


def test_a_switch_finishes_with_the_old_side_warm() -> None:
    w = world(blue_weight=0, green_tasks=2)
    switch = Operation(action="switch", to="green", prepare="none", scale_down_old=False)
    state = finish.finish(deploying(w, operation=switch), w.ctx)
    assert state.outcome is not None and state.outcome.cause.endswith("blue stays warm")
    assert w.notifier.messages[-1][0] == "Cutover app: registry/app:new has all traffic on green"


def test_a_repair_finishes_by_clearing_the_quarantine() -> None:
    w = world(blue_weight=0, green_tasks=2)
    repair = Operation(action="repair", to="green", force=True, prepare="none", scale_down_old=False)
    state = deploying(w, operation=repair)
    w.table.lock = Lock(owner=EXECUTION, acquired_at="x", expires_at=None, quarantined=True)
    finish.finish(state, w.ctx)
    assert w.table.lock is None  # release alone would leave a quarantined lock
    assert w.notifier.messages[-1][0].endswith("has all traffic again (repaired) on green")


# ------------------------------------------------------------------------------- rollback


def test_a_failure_before_the_sides_were_chosen_changes_nothing() -> None:
    w = world()
    error = CaughtError.model_validate({"Error": "DeploymentInProgress", "Cause": "run-0 holds the lock"})
    state = rollback.rollback(deploying(w, live_side=None, new_side=None, error=error), w.ctx)
    assert state.rolling_back == RollbackProgress(
        trigger="DeploymentInProgress",
        message="run-0 holds the lock",
        traffic_restored=False,
        scale_down=False,
        wait_seconds=0,
    )
    state = rollback.finish_rollback(state, w.ctx)
    assert state.outcome is not None and state.outcome.status == "FAILED"
    assert w.table.records == [] and w.notifier.messages == []  # nothing had started


def test_a_retried_rollback_finds_the_traffic_restored_and_still_waits_before_scaling_down() -> None:
    w = world(green_tasks=2)  # blue already has 100 %
    state = rollback.rollback(deploying(w, new_weight=10, new_task_definition="app-green-td:2"), w.ctx)
    assert w.load_balancer.writes == []
    assert state.rolling_back is not None
    assert (state.rolling_back.traffic_restored, state.rolling_back.scale_down, state.rolling_back.wait_seconds) == (
        True,
        True,
        5,
    )


def test_a_new_side_that_never_had_traffic_is_scaled_down_without_waiting() -> None:
    w = world(green_tasks=2)
    state = rollback.rollback(deploying(w, new_task_definition="app-green-td:2"), w.ctx)
    assert state.rolling_back is not None
    assert (state.rolling_back.traffic_restored, state.rolling_back.scale_down, state.rolling_back.wait_seconds) == (
        False,
        True,
        0,
    )
    assert state.timeline == []


def test_a_token_failure_without_a_cause_takes_the_trigger_recorded_on_the_lock() -> None:
    w = world(green_tasks=2)
    state = deploying(w, error=CaughtError.model_validate({"Error": "AlarmFired"}))
    assert w.table.lock is not None
    w.table.lock = Lock(owner=EXECUTION, acquired_at="x", expires_at=2_000_000_000, trigger="green-5xx in ALARM")
    progress = rollback.rollback(state, w.ctx).rolling_back
    assert progress is not None and progress.message == "green-5xx in ALARM"
    w.table.lock = None  # and without one, the error's name
    progress = rollback.rollback(state, w.ctx).rolling_back
    assert progress is not None and progress.message == "AlarmFired"


def test_a_rolled_back_switch_keeps_the_side_it_targeted_running() -> None:
    w = world(blue_weight=0, green_tasks=2)
    switch = Operation(action="switch", to="green", prepare="none", scale_down_old=False)
    state = rollback.rollback(deploying(w, operation=switch, new_weight=100), w.ctx)
    assert state.rolling_back is not None and not state.rolling_back.scale_down
    state = rollback.finish_rollback(state, w.ctx)
    assert w.ecs.services["app-green"].desired == 2
    assert state.outcome is not None and state.outcome.cause.endswith("on blue (registry/app:old).")
    assert state.rollback_hook_payload is None  # on_rollback hooks are a deployment's
    assert w.notifier.messages[-1][0] == "Cutover app: rolled back the switch to green (Unknown)"
