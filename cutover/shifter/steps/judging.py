"""The judge at one check of a bake: the new side against the old on CloudWatch (docs/analysis.md).

One GetMetricData call per check (through the MetricDataReader port), windows from the last
shift on the clock CloudWatch's datapoints are on (clock.metrics_now). Verdicts go into the
deployment's timeline with their numbers when they differ from the last one recorded in this
bake, or decide something; a fail or an inconclusive end is announced on SNS.
"""

from __future__ import annotations

import json
from datetime import datetime

from cutover.shifter.clock import metrics_now
from cutover.shifter.logic.analysis.actions import MAX_RECORDED_VERDICTS, outcomes_key, verdict_detail
from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import BaselineKind, Verdict
from cutover.shifter.logic.analysis.queries import alb_targets, check_windows, metric_data_request
from cutover.shifter.logic.state import TimelineEvent, WorkflowState
from cutover.shifter.steps.context import Context, note
from cutover.shifter.steps.records import notification

JUDGED = "judged"


def baseline_kind(state: WorkflowState) -> BaselineKind:
    """Same window on the old side while both sides serve; the old side's window before the
    shift once the new side has it all."""
    return "before-shift" if state.new_weight >= 100 else "same-window"


def check(state: WorkflowState, ctx: Context) -> Verdict | None:
    """This check's verdict, or None before the first whole period after the shift."""
    assert state.new_side is not None and state.shifted_at is not None
    config = state.deployment.analysis
    kind = baseline_kind(state)
    windows = check_windows(metrics_now(), datetime.fromisoformat(state.shifted_at), kind)
    if windows is None:
        return None
    targets = alb_targets(
        ctx.env.listener_arn, {"blue": ctx.env.target_groups["blue"], "green": ctx.env.target_groups["green"]}
    )
    plan = metric_data_request(config, targets, state.new_side, windows, kind)
    return judge(config, ctx.metric_data.read(plan))


def keep_on_lock(state: WorkflowState, ctx: Context) -> None:
    """The bake's notes, also on the lock item: a bake that fails (an alarm, an abort, the judge)
    hands the state machine the state it began with, so the rollback takes them from there
    (recover_bake_notes)."""
    assert state.bake is not None
    notes = [event.model_dump(mode="json") for event in state.timeline[state.bake.timeline_start :]]
    ctx.table.update_lock(state.execution, {"bake_notes": json.dumps({"bake": state.bake.key, "notes": notes})})


def recover_bake_notes(state: WorkflowState, ctx: Context) -> None:
    """A bake that ended by its token failing (an alarm, an abort, the judge, a promote) hands
    the next step the state it began with: its notes come back from the lock (keep_on_lock)."""
    bake = state.bake
    if bake is None or len(state.timeline) > bake.timeline_start:
        return  # not in a bake, or a retried attempt that already has them
    lock = ctx.table.get_lock()
    kept = lock.bake_notes if lock is not None and lock.owner == state.execution else None
    if kept and kept.get("bake") == bake.key:
        state.timeline.extend(TimelineEvent.model_validate(event) for event in kept.get("notes", []))


def record(state: WorkflowState, ctx: Context, verdict: Verdict, *, decision: str | None = None) -> None:
    """Into the timeline: a verdict that changed since the last recorded in this bake, or that
    decides something new (then even past MAX_RECORDED_VERDICTS)."""
    assert state.bake is not None
    bake = state.bake
    # The same outcomes with the same decision again (a dry-run's fail at every check) are
    # counted, not stored: the timeline travels in the execution's state (256 KiB).
    key = f"{outcomes_key(verdict)}|{decision or ''}|{bake.extensions}"
    if key == bake.recorded:
        return
    recorded = sum(1 for event in state.timeline if event.event == JUDGED)
    if decision is None and recorded >= MAX_RECORDED_VERDICTS:
        return
    bake.recorded = key
    mode = state.deployment.analysis.mode
    note(
        state,
        JUDGED,
        **verdict_detail(verdict, mode=mode, weight=state.new_weight, check=bake.checks, decision=decision),
    )
    keep_on_lock(state, ctx)


def record_no_verdict(state: WorkflowState, ctx: Context, *, explanation: str, decision: str) -> None:
    """A bake that ended before any whole period could be judged: inconclusive, never a pass."""
    assert state.bake is not None
    mode = state.deployment.analysis.mode
    detail = {"outcome": "inconclusive", "mode": mode, "weight": state.new_weight, "check": state.bake.checks}
    note(state, JUDGED, **detail, explanation=explanation, decision=decision)
    keep_on_lock(state, ctx)


def announce(state: WorkflowState, ctx: Context, verdict: Verdict | None, *, cause: str, decision: str) -> None:
    """On SNS: a fail, or a bake that ended inconclusive, and what the judge did about it."""
    outcome = verdict.outcome if verdict else "inconclusive"
    subject = (
        f"Cutover {ctx.env.service_name}: judge {outcome} on {state.new_side} at {state.new_weight} % ({decision})"
    )
    body = notification(state, ctx, f"judge_{outcome}")
    body.update({"cause": cause, "decision": decision, "verdict": verdict.explanation if verdict else None})
    if verdict is not None:
        body["metrics"] = {m.metric: {"outcome": m.outcome, "explanation": m.explanation} for m in verdict.metrics}
    ctx.notifier.publish(ctx.env.topic_arn, subject, body)
