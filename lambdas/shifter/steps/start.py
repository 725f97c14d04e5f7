"""validate → acquire lock → read live state: everything before the first change."""

from __future__ import annotations

from typing import Any

from shifter.adapters.live_state_store import SideLiveState
from shifter.contract import Side
from shifter.logic.ecr_images import check_pullable
from shifter.logic.errors import AlarmAlreadyFiring, LiveStateMismatch, NothingToRollBack, TargetUnhealthy
from shifter.logic.history import HistoryRecord, HistoryStep
from shifter.logic.inputs import DeployInput, RepairInput, SwitchInput, parse_execution_input
from shifter.logic.plan import build_plan, build_traffic_plan
from shifter.logic.quotas import ConfiguredHooks, check_plan, is_pipeline_execution
from shifter.logic.state import Operation, Outcome, PollLoop, SideSnapshot, WorkflowState
from shifter.logic.traffic import (
    alarms_to_watch,
    firing,
    firing_reasons,
    live_side_from_weights,
    other_side,
    weights_for,
)
from shifter.observability import metrics
from shifter.steps.context import Context, console_link, iso_now, note, now

LOCK_MARGIN_SECONDS = 3_600  # beyond the plan's longest duration, before a lock counts as stale
MANUAL_LOCK_SECONDS = 3_600  # a switch or rollback holds the lock at most this long
HEALTH_ATTEMPTS = 10


def validate(raw_input: object, execution: str, ctx: Context) -> WorkflowState:
    """Strict validation before anything in AWS is touched (raises InvalidInput)."""
    request = parse_execution_input(raw_input)
    state = WorkflowState(
        execution=execution,
        execution_name=execution.rsplit(":", 1)[-1],
        started_at=iso_now(),
        operation=Operation(action=request.action, reason=request.reason),
    )
    if isinstance(request, DeployInput):
        state.operation = Operation(action="deploy", reason=request.reason, hooks=request.hooks)
        state.plan = build_plan(request, ctx.env.defaults)  # the input's own errors first
        check_pullable(request.image, ctx.env.ecr_repositories)
        cost = check_plan(
            state.plan,
            pipeline=is_pipeline_execution(state.execution_name),
            **ConfiguredHooks(ctx.env.on_step_hooks, ctx.env.on_rollback_hooks).run_by(request.hooks),
        )
        note(
            state,
            "validated",
            image=state.plan.image,
            strategy=state.plan.strategy_name,
            steps=[s.weight for s in state.plan.steps],
            history_events=cost.events,
            **({"hooks_skipped": list(request.hooks.skipped())} if request.hooks.skipped() else {}),
        )
    elif isinstance(request, SwitchInput):
        state.operation = Operation(
            action="switch",
            to=request.to,
            force=request.force,
            reason=request.reason,
            prepare="none",
            scale_down_old=False,
        )
        note(state, "validated", action="switch", to=request.to, force=request.force)
    elif isinstance(request, RepairInput):
        # No smoke tests: a repair restores a known state; it still needs a healthy target.
        state.operation = Operation(
            action="repair", reason=request.reason, force=True, prepare="none", scale_down_old=False
        )
        note(state, "validated", action="repair")
    else:
        note(state, "validated", action=request.action)
    return state


def acquire_lock(state: WorkflowState, ctx: Context) -> WorkflowState:
    if state.operation.action == "repair":
        previous = ctx.table.take_over_quarantined(
            state.execution, state.started_at, {"action": "repair", "reason": state.operation.reason}
        )
        state.operation = state.operation.model_copy(update={"repairs_side": previous.new_side})
        note(state, "quarantined lock taken over", previous_owner=previous.owner, trigger=previous.trigger)
        return state
    current = int(now().timestamp())
    longest = state.plan.maximum_duration_seconds() if state.plan else MANUAL_LOCK_SECONDS
    expires_at = current + longest + LOCK_MARGIN_SECONDS
    ctx.table.acquire(
        owner=state.execution,
        acquired_at=state.started_at,
        now=current,
        expires_at=expires_at,
        details={
            "action": state.operation.action,
            "image": state.plan.image if state.plan else None,
            "reason": state.operation.reason,
        },
    )
    note(state, "lock acquired", expires_at=expires_at)
    return state


def read_live_state(state: WorkflowState, ctx: Context) -> WorkflowState:
    """Which side is live, which side gets traffic, and that the receiving side may get it."""
    env = ctx.env
    weights = ctx.load_balancer.read_weights(env.listener_arn, env.target_groups)
    action = state.operation.action
    if action == "switch":
        _target_switch(state, ctx, weights)
    elif action == "repair":
        _target_repair(state, ctx, weights)
    elif action == "rollback":
        _target_rollback(state, ctx, weights)
    else:
        live = live_side_from_weights(weights, deployment_running=False)
        _snapshot(state, ctx, live=live, new=other_side(live))
    if state.handled:
        return state
    new = state.new_side
    assert new is not None
    watched = alarms_to_watch(new, env.side_alarms, env.global_alarms)
    statuses = ctx.alarms.alarm_states(watched)
    already = firing(statuses, watched)
    if already:
        reasons = firing_reasons(statuses, already)
        raise AlarmAlreadyFiring(
            f"{', '.join(already)} already in ALARM on the side that would receive traffic ({new})"
            + (f" ({reasons})." if reasons else ".")
        )
    ctx.table.update_lock(state.execution, {"new_side": new, "phase": "preparing"})
    note(state, "live state read", live_side=state.live_side, new_side=new, weights=weights)
    ctx.table.record_history(state.started_at, state.execution_name, history_record(state, ctx, "RUNNING"))
    ctx.notifier.publish(env.topic_arn, started_subject(state, ctx), notification(state, ctx, "started"))
    if action == "deploy":
        metrics.add_metric(name="DeploymentsStarted", unit="Count", value=1)
    return state


def _snapshot(state: WorkflowState, ctx: Context, *, live: Side, new: Side) -> None:
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


def _target_switch(state: WorkflowState, ctx: Context, weights: dict[str, int]) -> None:
    """Split weights are allowed here: a switch is how they are repaired."""
    to = state.operation.to
    assert to is not None
    if weights == weights_for(to, 100):
        state.handled = True
        state.outcome = Outcome(status="SUCCEEDED", cause=f"{to} already has 100 % of production traffic")
        return
    count, recorded = _running_what_is_recorded(ctx, to)
    state.live_side, state.new_side = other_side(to), to
    state.desired_count = count
    state.plan = build_traffic_plan(
        recorded.image,
        ctx.env.defaults,
        reason=state.operation.reason or f"switch to {to}",
        smoke_tests=not state.operation.force,
    )
    attempts = 1 if state.operation.force else HEALTH_ATTEMPTS
    state.loop = PollLoop(phase="health", max_attempts=attempts, wait_seconds=0)


def _target_repair(state: WorkflowState, ctx: Context, weights: dict[str, int]) -> None:
    """The side the failed deployment was rolling back to, if it can serve; else the other."""
    failed_towards = state.operation.repairs_side
    heaviest: Side = "blue" if weights.get("blue", 0) >= weights.get("green", 0) else "green"
    preferred: Side = other_side(failed_towards) if failed_towards else heaviest
    candidates = [preferred, other_side(preferred)]
    reasons = []
    for side in candidates:
        try:
            count, recorded = _running_what_is_recorded(ctx, side)
        except (TargetUnhealthy, LiveStateMismatch) as error:
            reasons.append(str(error))
            continue
        if ctx.load_balancer.target_health(ctx.env.target_groups[side]).healthy == 0:
            reasons.append(f"{side} has no healthy target")
            continue
        state.operation = state.operation.model_copy(update={"to": side})
        state.live_side, state.new_side, state.desired_count = other_side(side), side, count
        state.plan = build_traffic_plan(
            recorded.image,
            ctx.env.defaults,
            reason=state.operation.reason or f"repair: 100 % on {side}",
            smoke_tests=False,
        )
        state.loop = PollLoop(phase="health", max_attempts=1, wait_seconds=0)
        if weights == weights_for(side, 100):
            state.handled = True
            state.outcome = Outcome(status="SUCCEEDED", cause=f"{side} already had 100 %; the quarantine is cleared")
        return
    raise TargetUnhealthy("no side can take the traffic: " + "; ".join(reasons) + " (the lock stays quarantined)")


def _running_what_is_recorded(ctx: Context, side: Side) -> tuple[int, SideLiveState]:
    """The side's desired count and live state, once it is known to run its recorded revision
    with tasks."""
    env = ctx.env
    recorded = ctx.live.read(side)
    status = ctx.ecs.describe_service(env.cluster, env.services[side])
    if status.task_definition != recorded.task_definition:
        raise LiveStateMismatch(
            f"{side} runs {status.task_definition}, but the live state records {recorded.task_definition}"
        )
    if status.desired == 0:
        raise TargetUnhealthy(f"{side} has no tasks (desired count 0): nothing can serve traffic there")
    return status.desired, recorded


def _target_rollback(state: WorkflowState, ctx: Context, weights: dict[str, int]) -> None:
    """Back to the side that was live before the last successful deployment."""
    last = next(
        (r for r in ctx.table.history(limit=50) if r.action == "deploy" and r.outcome == "SUCCEEDED"),
        None,
    )
    if last is None or last.from_side is None:
        raise NothingToRollBack("no successful deployment to roll back from")
    live = live_side_from_weights(weights, deployment_running=False)
    target: Side = last.from_side
    if live == target:
        raise NothingToRollBack(f"{target} ({last.previous_image}) is already live")
    _snapshot(state, ctx, live=live, new=target)
    # The side may have been prepared since (a deployment that then rolled back): return to
    # exactly what ran there before the last success, not to what the live state records now.
    revision, image = last.previous_task_definition, last.previous_image
    if not (revision and image):  # a record from before revisions were kept in the history
        recorded = ctx.live.read(target)
        revision, image = revision or recorded.task_definition, image or recorded.image
    status = ctx.ecs.describe_service(ctx.env.cluster, ctx.env.services[target])
    warm = status.desired > 0 and status.task_definition == revision
    # A manual rollback leaves the side it leaves warm, so that a switch can undo it.
    state.operation = state.operation.model_copy(
        update={"to": target, "prepare": "none" if warm else "reuse", "scale_down_old": False}
    )
    state.new_task_definition = revision
    if warm:
        state.desired_count = status.desired
        state.loop = PollLoop(phase="health", max_attempts=HEALTH_ATTEMPTS, wait_seconds=0)
    state.plan = build_traffic_plan(
        image, ctx.env.defaults, reason=state.operation.reason or f"roll back to {image}", smoke_tests=True
    )


def started_subject(state: WorkflowState, ctx: Context) -> str:
    service, operation = ctx.env.service_name, state.operation
    if operation.action == "switch":
        return f"Cutover {service}: switching to {state.new_side}"
    if operation.action == "rollback":
        return f"Cutover {service}: rolling back to {state.deployment.image} on {state.new_side}"
    return f"Cutover {service}: deploying {state.deployment.image} to {state.new_side}"


def history_record(state: WorkflowState, ctx: Context, outcome: str) -> HistoryRecord:
    plan = state.plan
    return HistoryRecord(
        service=ctx.env.service_name,
        execution=state.execution,
        action=state.operation.action,
        reason=state.operation.reason or (plan.reason if plan else state.operation.action),
        image=plan.image if plan else None,
        strategy=plan.strategy_name if plan else None,
        steps=tuple(HistoryStep.model_validate(step.model_dump()) for step in plan.steps) if plan else (),
        from_side=state.live_side,
        to_side=state.new_side,
        previous_image=state.previous.image if state.previous else None,
        previous_task_definition=state.previous.task_definition if state.previous else None,
        started_at=state.started_at,
        outcome=outcome,
        trigger=state.outcome.cause if state.outcome and outcome != "SUCCEEDED" else None,
        timeline=tuple(state.timeline),
        hook_failures=tuple(state.hook_failures),
    )


def notification(state: WorkflowState, ctx: Context, event: str) -> dict[str, Any]:
    new, old = state.new_side, state.live_side
    return {
        "service": ctx.env.service_name,
        "action": state.operation.action,
        "event": event,
        "image": state.plan.image if state.plan else None,
        "previous_image": state.previous.image if state.previous else None,
        "from_side": old,
        "to_side": new,
        "weights": {new: state.new_weight, old: 100 - state.new_weight} if new and old else None,
        "reason": state.operation.reason or (state.plan.reason if state.plan else None),
        "cause": state.outcome.cause if state.outcome else None,
        "execution": state.execution,
        "execution_link": console_link(state.execution),
    }
