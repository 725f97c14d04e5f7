"""validate → acquire lock → read live state: everything before the first change."""

from __future__ import annotations

from typing import Any

from shifter.adapters import alarms, load_balancer, notifier
from shifter.handlers.observability import metrics
from shifter.logic.errors import AlarmAlreadyFiring
from shifter.logic.inputs import parse_execution_input
from shifter.logic.plan import build_plan
from shifter.logic.state import SideSnapshot, WorkflowState
from shifter.logic.traffic import alarms_to_watch, firing, live_side_from_weights, other_side
from shifter.steps.context import Context, console_link, iso_now, note, now

LOCK_MARGIN_SECONDS = 3_600  # beyond the plan's longest duration, before a lock counts as stale


def validate(raw_input: object, execution: str, ctx: Context) -> WorkflowState:
    """Strict validation before anything in AWS is touched (raises InvalidInput)."""
    request = parse_execution_input(raw_input)
    plan = build_plan(request, ctx.env.defaults)
    state = WorkflowState(
        execution=execution, execution_name=execution.rsplit(":", 1)[-1], started_at=iso_now(), plan=plan
    )
    note(state, "validated", image=plan.image, strategy=plan.strategy_name, steps=[s.weight for s in plan.steps])
    return state


def acquire_lock(state: WorkflowState, ctx: Context) -> WorkflowState:
    current = int(now().timestamp())
    expires_at = current + state.plan.maximum_duration_seconds() + LOCK_MARGIN_SECONDS
    ctx.table.acquire(
        owner=state.execution,
        acquired_at=state.started_at,
        now=current,
        expires_at=expires_at,
        details={"action": "deploy", "image": state.plan.image, "reason": state.plan.reason},
    )
    note(state, "lock acquired", expires_at=expires_at)
    return state


def read_live_state(state: WorkflowState, ctx: Context) -> WorkflowState:
    """Which side is live (the one at 100), what it runs, and that the new side is quiet."""
    env = ctx.env
    weights = load_balancer.read_weights(env.listener_arn, env.target_groups)
    live = live_side_from_weights(weights, deployment_running=False)
    new = other_side(live)
    recorded = ctx.live.read(live)
    state.live_side, state.new_side = live, new
    state.previous = SideSnapshot(
        task_definition=recorded.task_definition,
        image=recorded.image,
        desired_count=recorded.desired_count,
        min_capacity=recorded.min_capacity,
        max_capacity=recorded.max_capacity,
    )
    state.desired_count = recorded.desired_count
    if recorded.min_capacity is not None and recorded.max_capacity is not None:
        state.bounds = (recorded.min_capacity, recorded.max_capacity)

    watched = alarms_to_watch(new, env.side_alarms, env.global_alarms)
    already = firing(alarms.alarm_states(watched), watched)
    if already:
        raise AlarmAlreadyFiring(
            f"{', '.join(already)} already in ALARM on the side that would receive traffic ({new})."
        )
    ctx.table.update_lock(state.execution, {"new_side": new, "phase": "preparing"})
    note(state, "live state read", live_side=live, new_side=new, weights=weights, image=recorded.image)
    ctx.table.record_history(state.started_at, state.execution_name, history_record(state, ctx, "RUNNING"))
    notifier.publish(
        env.topic_arn,
        f"Cutover {env.service_name}: deploying {state.plan.image} to {new}",
        notification(state, ctx, "started"),
    )
    metrics.add_metric(name="DeploymentsStarted", unit="Count", value=1)
    return state


def history_record(state: WorkflowState, ctx: Context, outcome: str) -> dict[str, Any]:
    plan = state.plan
    return {
        "service": ctx.env.service_name,
        "execution": state.execution,
        "action": "deploy",
        "reason": plan.reason,
        "image": plan.image,
        "strategy": plan.strategy_name,
        "steps": [step.model_dump() for step in plan.steps],
        "from_side": state.live_side,
        "to_side": state.new_side,
        "previous_image": state.previous.image if state.previous else None,
        "started_at": state.started_at,
        "outcome": outcome,
        "trigger": state.outcome.cause if state.outcome else None,
        "timeline": [event.model_dump() for event in state.timeline],
    }


def notification(state: WorkflowState, ctx: Context, event: str) -> dict[str, Any]:
    return {
        "service": ctx.env.service_name,
        "event": event,
        "image": state.plan.image,
        "previous_image": state.previous.image if state.previous else None,
        "from_side": state.live_side,
        "to_side": state.new_side,
        "weights": {state.new_side: state.new_weight, state.live_side: 100 - state.new_weight}
        if state.new_side and state.live_side
        else None,
        "reason": state.plan.reason,
        "cause": state.outcome.cause if state.outcome else None,
        "execution": state.execution,
        "execution_link": console_link(state.execution),
    }
