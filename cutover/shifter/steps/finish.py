"""The end of a successful deployment: scale the old side down, record, notify, release."""

from __future__ import annotations

from cutover.shifter.logic.state import Outcome, WorkflowState
from cutover.shifter.logic.subjects import succeeded_subject
from cutover.shifter.observability import metrics
from cutover.shifter.steps.context import Context, note, seconds_since
from cutover.shifter.steps.records import history_record, notification
from cutover.shifter.steps.requests import current_lock
from cutover.shifter.steps.scaling import scale_side


def scale_down_old_side(state: WorkflowState, ctx: Context) -> WorkflowState:
    assert state.live_side is not None
    old = state.live_side
    current_lock(state, ctx)
    if not state.operation.scale_down_old:
        return state
    scale_side(ctx, old, 0, (0, 0) if state.bounds is not None else None)
    note(state, "old side scaled down", side=old)
    return state


def finish(state: WorkflowState, ctx: Context) -> WorkflowState:
    env = ctx.env
    action = state.operation.action
    if state.handled and state.outcome is not None:  # e.g. a switch to the side already live
        _release(state, ctx)
        return state
    other = f"{state.live_side} scaled to 0" if state.operation.scale_down_old else f"{state.live_side} stays warm"
    state.outcome = Outcome(
        status="SUCCEEDED",
        cause=f"{state.deployment.image} is live on {state.new_side} (100 %); {other}",
        summary={
            "service": env.service_name,
            "action": action,
            "image": state.deployment.image,
            "live_side": state.new_side,
            "previous_side": state.live_side,
            "previous_image": state.previous.image if state.previous else None,
            "task_definition": state.new_task_definition,
            "steps": [step.weight for step in state.deployment.steps],
            "promoted": state.promoted,
            "started_at": state.started_at,
        },
    )
    note(state, "succeeded")
    ctx.table.record_history(state.started_at, state.execution_name, history_record(state, ctx, "SUCCEEDED"))
    ctx.notifier.publish(
        env.topic_arn, succeeded_subject(state, env.service_name), notification(state, ctx, "succeeded")
    )
    if action == "deploy":
        metrics.add_metric(name="DeploymentsSucceeded", unit="Count", value=1)
    metrics.add_metric(name="DeploymentDuration", unit="Seconds", value=seconds_since(state.started_at))
    _release(state, ctx)
    return state


def _release(state: WorkflowState, ctx: Context) -> None:
    if state.operation.action == "repair":
        ctx.table.release_repaired(state.execution)  # clears the quarantine
    else:
        ctx.table.release(state.execution)
