"""Bake: watch the new side's alarms at one weight.

Two branches run side by side in the state machine. One waits on a task token kept on
the lock item, so an alarm event (handlers/alarm_event.py) or an abort fails it at once.
The other polls every poll interval (event delivery has no latency promise) and, when
the bake is over, completes the token. Each side checks the other's mark on the lock
item, so neither can miss the other however their timing falls.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from cutover.shifter.logic.analysis.actions import (
    PAUSE_SKIPPED,
    acts,
    decision_text,
    end_of_bake,
    failure_cause,
    inconclusive_cause,
)
from cutover.shifter.logic.analysis.models import Verdict
from cutover.shifter.logic.bake import after_check, alarm_cause, next_wait, pause_expired_cause
from cutover.shifter.logic.errors import Aborted, AlarmFired, JudgeFailed, JudgeInconclusive, PauseExpired, Promoted
from cutover.shifter.logic.state import Bake, WorkflowState
from cutover.shifter.logic.traffic import alarms_to_watch, firing, firing_reasons
from cutover.shifter.observability import metrics
from cutover.shifter.readers.lock import Lock
from cutover.shifter.steps import judging
from cutover.shifter.steps.context import Context, note
from cutover.shifter.steps.requests import PROMOTE, current_lock


def _done_mark(bake: Bake) -> str:
    return f"bake-done:{bake.key}"


def _failed_mark(bake: Bake, error_name: str) -> str:
    return f"bake-failed:{bake.key}:{error_name}"


def register_bake_token(state: WorkflowState, token: str, ctx: Context) -> dict[str, str]:
    """Branch 1: keep the token on the lock; honour a mark the poll branch left first."""
    assert state.bake is not None
    bake = state.bake
    if not ctx.table.update_lock(state.execution, {"task_token": token, "task_key": bake.key}):
        ctx.task_tokens.fail(token, Aborted.__name__, f"{state.execution_name} no longer holds the deployment lock")
        return {}
    lock = ctx.table.get_lock()
    phase = lock.phase if lock else None
    if phase == _done_mark(bake):
        ctx.task_tokens.succeed(token, {"bake": bake.key})
    elif phase and phase.startswith(f"bake-failed:{bake.key}:"):
        ctx.task_tokens.fail(token, phase.rsplit(":", 1)[1], (lock.trigger if lock else None) or phase)
    elif lock is not None and bake.phase == "step" and PROMOTE in lock.requests:
        ctx.task_tokens.fail(token, Promoted.__name__, "promote requested before the bake began")
    return {}


def end_promoted_bake(state: WorkflowState, ctx: Context) -> WorkflowState:
    """A promote failed the bake's token (steps/signals.py): the bake ends now and the next
    shift goes to 100 % (shift.shift_weights sees the request). An abort since still wins."""
    assert state.bake is not None
    current_lock(state, ctx)
    judging.recover_bake_notes(state, ctx)
    state.promoted = True
    state.error = None
    note(state, "promoted", phase=state.bake.phase, step=state.bake.step_index + 1)
    state.bake = None
    return state


def fail_bake(state: WorkflowState, ctx: Context, lock: Lock | None, error_name: str, cause: str) -> None:
    """Mark the bake failed (with its trigger, kept for the rollback) and fail the token."""
    assert state.bake is not None
    bake = state.bake
    ctx.table.update_lock(state.execution, {"phase": _failed_mark(bake, error_name), "trigger": cause})
    if lock is not None and lock.task_token and lock.task_key == bake.key:
        ctx.task_tokens.fail(lock.task_token, error_name, cause)


def check_bake(state: WorkflowState, ctx: Context) -> WorkflowState:
    """Branch 2, after each poll wait: alarms, the judge, abort, promote, time."""
    assert state.bake is not None and state.new_side is not None
    bake = state.bake
    try:
        lock = current_lock(state, ctx)
    except Aborted as aborted:
        fail_bake(state, ctx, ctx.table.get_lock(), Aborted.__name__, str(aborted))
        raise
    bake.elapsed_seconds += bake.wait_seconds
    watched = alarms_to_watch(state.new_side, ctx.env.side_alarms, ctx.env.global_alarms)
    statuses = ctx.alarms.alarm_states(watched)
    fired = firing(statuses, watched)
    if fired:
        cause = alarm_cause(fired, firing_reasons(statuses, fired), state.new_weight, state.new_side)
        fail_bake(state, ctx, lock, AlarmFired.__name__, cause)
        raise AlarmFired(cause)
    verdict = _judge(state, ctx, lock)
    move = after_check(bake, promote_requested=PROMOTE in lock.requests)
    if move == "promoted":
        state.promoted = True
        bake.status = "done"
    elif move == "pause-expired":
        cause = pause_expired_cause(bake, state.new_weight)
        fail_bake(state, ctx, lock, PauseExpired.__name__, cause)
        raise PauseExpired(cause)
    elif move == "time-up":
        if not _judge_keeps_baking(state, ctx, lock, verdict):
            bake.status = "done"
        verdict = None  # recorded with what the end of the bake decided
    if verdict is not None and verdict.outcome != "fail":
        judging.record(state, ctx, verdict)
    if bake.status == "done":
        return state
    bake.wait_seconds = next_wait(bake, state.deployment.poll_interval_seconds)
    return state


def _judge(state: WorkflowState, ctx: Context, lock: Lock) -> Verdict | None:
    """One check of the judge (mode dry-run or on): recorded; a fail rolls back when on."""
    assert state.bake is not None and state.new_side is not None
    config = state.deployment.analysis
    if config.mode == "off" or state.shifted_at is None:
        return None
    bake = state.bake
    bake.checks += 1
    verdict = judging.check(state, ctx)
    bake.verdict = verdict.outcome if verdict else None
    if verdict is None:
        return None
    if verdict.outcome != "fail":
        return verdict  # recorded by check_bake, with the end of the bake's decision if it ends
    cause = failure_cause(verdict, state.new_side, state.new_weight)
    decision = decision_text("rollback-now", config.mode, config.on_inconclusive)
    judging.record(state, ctx, verdict, decision=decision)
    if not acts(config.mode):
        if not bake.announced_fail:  # a dry-run announces a fail once per bake
            judging.announce(state, ctx, verdict, cause=cause, decision=decision)
            bake.announced_fail = True
        return verdict
    judging.announce(state, ctx, verdict, cause=cause, decision=decision)
    fail_bake(state, ctx, lock, JudgeFailed.__name__, cause)
    raise JudgeFailed(cause)


def _judge_keeps_baking(state: WorkflowState, ctx: Context, lock: Lock, verdict: Verdict | None) -> bool:
    """The bake's time is up: a latest verdict that is not a pass does what `on_inconclusive`
    says (mode on), or is recorded as what it would have done (dry-run)."""
    assert state.bake is not None and state.new_side is not None
    config = state.deployment.analysis
    bake = state.bake
    if config.mode == "off":
        return False
    rule = config.on_inconclusive
    action = end_of_bake(rule, bake.verdict, bake.extensions)
    if action == "done":
        if verdict is not None and verdict.outcome != "fail":
            judging.record(state, ctx, verdict)
        return False
    decision = decision_text(action, config.mode, rule)
    # A promote that came before this pause skips it (it skips every remaining pause), and the
    # timeline says so rather than naming a pause that never held the deployment.
    promoted_before = action == "pause" and acts(config.mode) and PROMOTE in lock.requests
    if promoted_before:
        decision = PAUSE_SKIPPED
    cause = inconclusive_cause(verdict, state.new_side, state.new_weight, bake.elapsed_seconds)
    if verdict is not None:
        judging.record(state, ctx, verdict, decision=decision)
    else:
        judging.record_no_verdict(state, ctx, explanation=cause, decision=decision)
    judging.announce(state, ctx, verdict, cause=cause, decision=decision)
    if not acts(config.mode):
        return False
    if action == "extend":
        bake.extensions += 1
        bake.seconds += rule.extend_seconds
        return True
    if action == "pause":
        return _pause_for_promote(state, ctx, promoted_before=promoted_before)
    fail_bake(state, ctx, lock, JudgeInconclusive.__name__, cause)
    raise JudgeInconclusive(cause)


def _pause_for_promote(state: WorkflowState, ctx: Context, *, promoted_before: bool) -> bool:
    """The judge pauses the bake until a promote (bounded by max_pause_seconds); whether it
    keeps baking: not when a promote came first."""
    assert state.bake is not None
    if promoted_before:
        state.promoted = True
        return False
    bake = state.bake
    bake.pause = bake.judge_paused = True
    bake.seconds = bake.elapsed_seconds + state.deployment.max_pause_seconds
    # On the lock, so a promote fails this bake's token at once (steps/signals.py) even in the
    # final wait, whose polls may be 600 s apart. Read after it is written: a promote that came
    # in between is seen here, so one of the two ends the pause.
    ctx.table.update_lock(state.execution, {"paused_key": bake.key})
    latest = ctx.table.get_lock()
    if latest is not None and PROMOTE in latest.requests:
        state.promoted = True
        return False
    return True


def complete_bake(state: WorkflowState, ctx: Context) -> WorkflowState:
    """Branch 2 ends: mark the bake done and complete branch 1's token."""
    assert state.bake is not None
    bake = state.bake
    ctx.table.update_lock(state.execution, {"phase": _done_mark(bake)})
    lock = ctx.table.get_lock()
    if lock is not None and lock.task_token and lock.task_key == bake.key:
        ctx.task_tokens.succeed(lock.task_token, {"bake": bake.key})
    note(state, "baked" if not state.promoted else "promoted", phase=bake.phase, seconds=bake.elapsed_seconds)
    metrics.add_metric(name="StepDuration", unit=MetricUnit.Seconds, value=bake.elapsed_seconds)
    state.bake = None
    return state
