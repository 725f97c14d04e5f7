"""Preconditions, before the first change: validate the input, take the lock, read the live
state (which side gets traffic: steps/targets.py) and check that side may get it."""

from __future__ import annotations

from collections.abc import Callable

from cutover.shifter.logic.ecr_images import check_pullable
from cutover.shifter.logic.errors import AlarmAlreadyFiring
from cutover.shifter.logic.inputs import DeployInput, RepairInput, SwitchInput, parse_execution_input
from cutover.shifter.logic.plan import build_plan
from cutover.shifter.logic.quotas import ConfiguredHooks, check_plan, is_pipeline_execution
from cutover.shifter.logic.state import Operation, WorkflowState
from cutover.shifter.logic.subjects import started_subject
from cutover.shifter.logic.traffic import alarms_to_watch, firing, firing_reasons
from cutover.shifter.observability import metrics
from cutover.shifter.steps import targets
from cutover.shifter.steps.context import Context, iso_now, note, now
from cutover.shifter.steps.records import history_record, notification

LOCK_MARGIN_SECONDS = 3_600  # beyond the plan's longest duration, before a lock counts as stale
MANUAL_LOCK_SECONDS = 3_600  # a switch or rollback holds the lock at most this long

Target = Callable[[WorkflowState, Context, dict[str, int]], None]
TARGETS: dict[str, Target] = {
    "switch": targets.target_switch,
    "repair": targets.target_repair,
    "rollback": targets.target_rollback,
}


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
    TARGETS.get(action, targets.target_deploy)(state, ctx, weights)
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
    ctx.notifier.publish(env.topic_arn, started_subject(state, env.service_name), notification(state, ctx, "started"))
    if action == "deploy":
        metrics.add_metric(name="DeploymentsStarted", unit="Count", value=1)
    return state
