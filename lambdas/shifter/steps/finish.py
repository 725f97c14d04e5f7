"""The end of a successful deployment: scale the old side down, record, notify, release."""

from __future__ import annotations

from shifter.adapters import autoscaling, ecs_service, notifier
from shifter.handlers.observability import metrics
from shifter.logic.state import Outcome, WorkflowState
from shifter.steps.context import Context, note, seconds_since
from shifter.steps.requests import current_lock
from shifter.steps.start import history_record, notification


def scale_down_old_side(state: WorkflowState, ctx: Context) -> WorkflowState:
    env = ctx.env
    assert state.live_side is not None
    old = state.live_side
    current_lock(state, ctx)
    if state.bounds is not None:
        autoscaling.set_bounds(env.cluster, env.services[old], 0, 0)
        ctx.live.write(old, {"min-capacity": 0, "max-capacity": 0})
    ecs_service.update_service(env.cluster, env.services[old], desired=0)
    ctx.live.write(old, {"desired-count": 0})
    note(state, "old side scaled down", side=old)
    return state


def finish(state: WorkflowState, ctx: Context) -> WorkflowState:
    env = ctx.env
    state.outcome = Outcome(
        status="SUCCEEDED",
        cause=f"{state.plan.image} is live on {state.new_side} (100 %); {state.live_side} scaled to 0",
        summary={
            "service": env.service_name,
            "image": state.plan.image,
            "live_side": state.new_side,
            "previous_side": state.live_side,
            "previous_image": state.previous.image if state.previous else None,
            "task_definition": state.new_task_definition,
            "steps": [step.weight for step in state.plan.steps],
            "promoted": state.promoted,
            "started_at": state.started_at,
        },
    )
    note(state, "succeeded")
    ctx.table.record_history(state.started_at, state.execution_name, history_record(state, ctx, "SUCCEEDED"))
    notifier.publish(
        env.topic_arn,
        f"Cutover {env.service_name}: {state.plan.image} is live on {state.new_side}",
        notification(state, ctx, "succeeded"),
    )
    metrics.add_metric(name="DeploymentsSucceeded", unit="Count", value=1)
    metrics.add_metric(name="DeploymentDuration", unit="Seconds", value=seconds_since(state.started_at))
    ctx.table.release(state.execution)
    return state
