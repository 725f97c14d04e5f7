"""The bake's steps against the fakes (the lock item, task tokens, alarms): the two branches
that run side by side (register_bake_token waiting on a token, check_bake polling), how each
sees the other's mark, and what ends a bake: an alarm, an abort, a promote, its time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cutover.shifter.logic.errors import Aborted, AlarmFired, PauseExpired
from cutover.shifter.logic.state import Bake, Operation, TimelineEvent, WorkflowState
from cutover.shifter.logic.traffic import AlarmStatus
from cutover.shifter.steps import bake, shift
from tests.unit.shifter.fakes.context import World, world
from tests.unit.shifter.fakes.deployment import EXECUTION, deploying

TOKEN = "token-1"


@pytest.fixture(autouse=True)
def _no_metric_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


def baking(w: World, **fields: object) -> WorkflowState:
    """green at 10 %, in the first step's bake of 60 s polled every 10 s."""
    values: dict[str, object] = {"phase": "step", "step_index": 0, "seconds": 60, "wait_seconds": 10}
    step = Bake.model_validate(values | {"token_timeout_seconds": 960} | fields)
    return deploying(w, new_weight=10, step_index=1, bake=step)


def waiting_on(w: World, state: WorkflowState) -> None:
    """Branch 1 registered its token on the lock."""
    assert state.bake is not None and w.table.lock is not None
    w.task_tokens.waiting.add(TOKEN)
    w.table.lock = replace(w.table.lock, task_token=TOKEN, task_key=state.bake.key)


def lock_with(w: World, **changes: object) -> None:
    assert w.table.lock is not None
    w.table.lock = replace(w.table.lock, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ register_bake_token


def test_the_token_is_kept_on_the_lock_and_waits() -> None:
    w = world()
    state = baking(w)
    w.task_tokens.waiting.add(TOKEN)
    assert bake.register_bake_token(state, TOKEN, w.ctx) == {}
    assert w.table.lock is not None and (w.table.lock.task_token, w.table.lock.task_key) == (TOKEN, "step:0")
    assert w.task_tokens.results == []


def test_a_deployment_that_lost_its_lock_fails_its_token_as_aborted() -> None:
    w = world()
    state = baking(w)
    w.table.lock = None
    w.task_tokens.waiting.add(TOKEN)
    bake.register_bake_token(state, TOKEN, w.ctx)
    assert w.task_tokens.results == [(TOKEN, "Aborted")]


def test_a_bake_the_poll_branch_already_completed_succeeds_the_token_at_once() -> None:
    w = world()
    state = baking(w)
    lock_with(w, phase="bake-done:step:0")
    w.task_tokens.waiting.add(TOKEN)
    bake.register_bake_token(state, TOKEN, w.ctx)
    assert w.task_tokens.results == [(TOKEN, "success")]


def test_a_bake_the_poll_branch_already_failed_fails_the_token_with_its_error() -> None:
    w = world()
    state = baking(w)
    lock_with(w, phase="bake-failed:step:0:AlarmFired", trigger="green-5xx in ALARM")
    w.task_tokens.waiting.add(TOKEN)
    bake.register_bake_token(state, TOKEN, w.ctx)
    assert w.task_tokens.results == [(TOKEN, "AlarmFired")]


def test_a_promote_that_came_before_a_steps_bake_began_ends_it_at_once() -> None:
    w = world()
    state = baking(w)
    lock_with(w, requests=("promote",))
    w.task_tokens.waiting.add(TOKEN)
    bake.register_bake_token(state, TOKEN, w.ctx)
    assert w.task_tokens.results == [(TOKEN, "Promoted")]


def test_a_promote_does_not_end_the_final_wait_from_the_token() -> None:
    w = world()
    state = baking(w, phase="final", step_index=2)
    lock_with(w, requests=("promote",), phase="final-wait")
    w.task_tokens.waiting.add(TOKEN)
    bake.register_bake_token(state, TOKEN, w.ctx)
    assert w.task_tokens.results == []


# ---------------------------------------------------------------------------------- check_bake


def test_a_quiet_poll_keeps_baking_and_waits_no_longer_than_the_bake_has_left() -> None:
    w = world()
    state = baking(w, elapsed_seconds=45)
    state = bake.check_bake(state, w.ctx)
    assert state.bake is not None and (state.bake.status, state.bake.elapsed_seconds, state.bake.wait_seconds) == (
        "baking",
        55,
        5,
    )


def test_the_bake_is_done_when_its_time_is_up() -> None:
    w = world()
    state = bake.check_bake(baking(w, elapsed_seconds=50), w.ctx)
    assert state.bake is not None and state.bake.status == "done" and not state.promoted


def test_an_alarm_on_the_new_side_fails_the_bake_and_its_waiting_token() -> None:
    w = world()
    state = baking(w)
    waiting_on(w, state)
    w.alarms.states["green-5xx"] = AlarmStatus("ALARM", "Threshold Crossed")
    with pytest.raises(AlarmFired, match=r"^green-5xx in ALARM at 10 % on green \(green-5xx: Threshold Crossed\)$"):
        bake.check_bake(state, w.ctx)
    assert w.table.lock is not None and w.table.lock.phase == "bake-failed:step:0:AlarmFired"
    assert w.table.lock.trigger is not None and w.table.lock.trigger.startswith("green-5xx in ALARM")
    assert w.task_tokens.results == [(TOKEN, "AlarmFired")]


def test_an_abort_fails_the_bake_with_its_cause() -> None:
    w = world()
    state = baking(w)
    waiting_on(w, state)
    lock_with(w, requests=("abort",), trigger="abort requested by run-2: bad")
    with pytest.raises(Aborted, match="bad"):
        bake.check_bake(state, w.ctx)
    assert w.task_tokens.results == [(TOKEN, "Aborted")]
    assert w.table.lock is not None and w.table.lock.phase == "bake-failed:step:0:Aborted"


def test_a_promote_ends_a_steps_bake_at_the_next_poll() -> None:
    w = world()
    state = baking(w)
    lock_with(w, requests=("promote",))
    state = bake.check_bake(state, w.ctx)
    assert state.promoted and state.bake is not None and state.bake.status == "done"


def test_a_pause_without_a_promote_expires() -> None:
    w = world()
    state = baking(w, pause=True, seconds=3600, elapsed_seconds=3590)
    waiting_on(w, state)
    with pytest.raises(PauseExpired, match=r"^paused at 10 % for 3600 s without a promote$"):
        bake.check_bake(state, w.ctx)
    assert w.task_tokens.results == [(TOKEN, "PauseExpired")]


# ------------------------------------------------------------------------------ complete_bake


def test_completing_the_bake_marks_it_done_and_succeeds_branch_ones_token() -> None:
    w = world()
    state = baking(w, elapsed_seconds=60, status="done")
    waiting_on(w, state)
    state = bake.complete_bake(state, w.ctx)
    assert state.bake is None
    assert w.table.lock is not None and w.table.lock.phase == "bake-done:step:0"
    assert w.task_tokens.results == [(TOKEN, "success")]
    assert (state.timeline[-1].event, state.timeline[-1].detail) == ("baked", {"phase": "step", "seconds": 60})


def test_completing_a_bake_before_its_token_is_registered_leaves_the_mark_for_it() -> None:
    w = world()
    branch_one = baking(w)  # both branches start from the same state
    bake.complete_bake(baking(w, elapsed_seconds=60, status="done"), w.ctx)
    assert w.task_tokens.results == []
    w.task_tokens.waiting.add(TOKEN)
    bake.register_bake_token(branch_one, TOKEN, w.ctx)  # registers late, and sees the mark
    assert w.task_tokens.results == [(TOKEN, "success")]


def test_a_token_of_another_bake_is_not_completed() -> None:
    w = world()
    state = baking(w, elapsed_seconds=60, status="done")
    w.task_tokens.waiting.add(TOKEN)
    lock_with(w, task_token=TOKEN, task_key="step:7")
    bake.complete_bake(state, w.ctx)
    assert w.task_tokens.results == []


def test_a_promoted_bake_is_noted_as_promoted() -> None:
    w = world()
    state = baking(w, elapsed_seconds=10, status="done").model_copy(update={"promoted": True})
    assert bake.complete_bake(state, w.ctx).timeline[-1].event == "promoted"


# -------------------------------------------------------------------------- end_promoted_bake


def test_a_promote_that_failed_the_token_ends_the_bake_and_recovers_its_notes() -> None:
    w = world()
    state = baking(w)
    assert state.bake is not None
    kept = TimelineEvent(at="2026-12-02T20:01:00+00:00", event="judged", detail={"outcome": "pass"})
    w.ctx.table.update_lock(EXECUTION, {"bake_notes": f'{{"bake": "step:0", "notes": [{kept.model_dump_json()}]}}'})
    state = state.model_copy(update={"error": {"Error": "Promoted", "Cause": "promote requested"}})
    state = bake.end_promoted_bake(state, w.ctx)
    assert state.bake is None and state.promoted and state.error is None
    assert [e.event for e in state.timeline] == ["judged", "promoted"]
    assert state.timeline[-1].detail == {"phase": "step", "step": 1}


def test_an_abort_after_the_promote_still_wins() -> None:
    w = world()
    state = baking(w)
    lock_with(w, requests=("abort", "promote"), trigger="abort requested by run-2: stop")
    with pytest.raises(Aborted, match="stop"):
        bake.end_promoted_bake(state, w.ctx)


# --------------------------------------------------------------------------- begin_final_wait


def test_the_final_wait_keeps_the_old_side_warm_for_the_termination_wait() -> None:
    w = world()
    state = shift.begin_final_wait(deploying(w, new_weight=100, step_index=2), w.ctx)
    assert state.bake is not None
    assert (state.bake.phase, state.bake.step_index, state.bake.seconds, state.bake.wait_seconds) == (
        "final",
        2,
        60,
        10,
    )
    assert state.bake.timeline_start == len(state.timeline)  # the note comes before the bake's own
    assert state.timeline[-1].detail == {"seconds": 60}
    assert w.table.lock is not None and w.table.lock.phase == "final-wait"


def test_a_switch_has_no_final_wait() -> None:
    w = world()
    switch = Operation(action="switch", prepare="none", scale_down_old=False)
    state = shift.begin_final_wait(deploying(w, operation=switch, bake=None), w.ctx)
    assert state.bake is None and state.timeline == []
    assert w.table.lock is not None and w.table.lock.phase is None
