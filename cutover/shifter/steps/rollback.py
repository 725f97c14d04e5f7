"""Rollback: traffic back to 100 % on the old side first, verified; then everything else."""

from __future__ import annotations

from cutover.shifter.contract import StateMachineError
from cutover.shifter.logic.errors import DeploymentRolledBack, TargetUnhealthy
from cutover.shifter.logic.rollback import brought_up, had_production_traffic
from cutover.shifter.logic.state import Outcome, RollbackProgress, WorkflowState
from cutover.shifter.logic.subjects import (
    caught_trigger,
    failed_subject,
    rollback_incomplete_cause,
    rollback_incomplete_subject,
    rolled_back_cause,
    rolled_back_subject,
    traffic_text,
)
from cutover.shifter.logic.traffic import weights_for
from cutover.shifter.observability import metrics
from cutover.shifter.steps import judging
from cutover.shifter.steps.context import Context, note, seconds_since
from cutover.shifter.steps.records import history_record, notification
from cutover.shifter.steps.rollback_hooks import rollback_hook_payload
from cutover.shifter.steps.scaling import scale_side
from cutover.shifter.steps.shift import apply_weights


def _trigger(state: WorkflowState, ctx: Context) -> tuple[str, str]:
    """The error name and a readable cause. A task-token failure may arrive without its
    cause (the console and moto drop it), so the lock item's recorded trigger fills in."""
    name, message = caught_trigger(state.error)
    if not message:
        lock = ctx.table.get_lock()
        message = (lock.trigger if lock and lock.owner == state.execution else None) or name
    return name, message


def _propagation_seconds(state: WorkflowState, ctx: Context) -> int:
    return state.plan.alb_propagation_seconds if state.plan else ctx.env.defaults.alb_propagation_seconds


def rollback(state: WorkflowState, ctx: Context) -> WorkflowState:
    """Rollback, part 1: production traffic back on the old side, read back and verified,
    at once (the fast path). Part 2 (`finish_rollback`) scales the new side down, but only
    after the state machine has waited `rolling_back.wait_seconds`: an ALB applies a
    listener change to its nodes over seconds, and a side scaled down while a node still
    routes to it answers 503 (Argo Rollouts' abortScaleDownDelaySeconds, for the same race)."""
    env = ctx.env
    name, message = _trigger(state, ctx)
    judging.recover_bake_notes(state, ctx)
    old, new = state.live_side, state.new_side
    restored = scale_down = False
    wait_seconds = 0
    if old is not None and new is not None:
        weights = ctx.load_balancer.read_weights(env.listener_arn, env.target_groups)
        if weights != weights_for(old, 100):
            if ctx.ecs.describe_service(env.cluster, env.services[old]).desired == 0:
                # Never send traffic to a side with no tasks: the rollback cannot complete.
                raise TargetUnhealthy(f"{old}, the side to roll back to, has no tasks; traffic stays where it is")
            apply_weights(ctx, old, 100)
            restored = True
        routed_to_new = had_production_traffic(state, weights)
        scale_down = brought_up(state, ctx.ecs.describe_service(env.cluster, env.services[new]))
        if scale_down and routed_to_new:
            wait_seconds = _propagation_seconds(state, ctx)
        restored = restored or routed_to_new
        state.new_weight = 0
        if restored:
            note(state, "traffic restored", side=old, scale_down_after_seconds=wait_seconds if scale_down else None)
    state.rolling_back = RollbackProgress(
        trigger=name, message=message, traffic_restored=restored, scale_down=scale_down, wait_seconds=wait_seconds
    )
    return state


def finish_rollback(state: WorkflowState, ctx: Context) -> WorkflowState:
    """Rollback, part 2, once no ALB node can still route to the new side: scale it down
    (if this execution brought it up), record, notify, release the lock. A deployment that
    changed something gets `rollback_hook_payload`: its on_rollback hooks run after this."""
    env = ctx.env
    progress = state.rolling_back
    if progress is None:
        raise RuntimeError("finish_rollback runs after rollback, which records its progress")
    name, message = progress.trigger, progress.message
    old, new = state.live_side, state.new_side
    if progress.scale_down and new is not None:
        scale_side(ctx, new, 0, (0, 0) if state.bounds is not None else None)
    touched = progress.traffic_restored or progress.scale_down
    if touched:
        cause = rolled_back_cause(state, name, message)
        state.outcome = Outcome(status="ROLLED_BACK", error=DeploymentRolledBack.__name__, cause=cause)
        note(state, "rolled back", trigger=name, cause=message)
        if state.operation.action == "deploy":
            metrics.add_metric(name="DeploymentsRolledBack", unit="Count", value=1)
        metrics.add_metric(name="DeploymentDuration", unit="Seconds", value=seconds_since(state.started_at))
        subject = rolled_back_subject(state, env.service_name, name)
        if state.operation.action == "deploy":  # the state machine runs on_rollback hooks with it
            state.rollback_hook_payload = rollback_hook_payload(state, ctx)
    else:
        state.outcome = Outcome(status="FAILED", error=name, cause=f"{message} Nothing was changed.")
        note(state, "failed before any change", trigger=name, cause=message)
        subject = failed_subject(state, env.service_name, name)
    if old is not None:  # history and notification only once a deployment really started
        record = history_record(state, ctx, state.outcome.status)
        ctx.table.record_history(state.started_at, state.execution_name, record)
        ctx.notifier.publish(env.topic_arn, subject, notification(state, ctx, "rolled_back" if touched else "failed"))
    ctx.table.release(state.execution)
    return state


def quarantine(state: WorkflowState, ctx: Context) -> WorkflowState:
    """The rollback itself failed: keep the lock so nobody deploys over this state, and say
    exactly where traffic is and what fixes it."""
    env = ctx.env
    failure = state.rollback_error.message() if state.rollback_error else "unknown error"
    try:
        weights = ctx.load_balancer.read_weights(env.listener_arn, env.target_groups)
        where = traffic_text(weights)
    except Exception as error:  # the listener may be what is failing
        where = f"unknown (the listener could not be read: {error})"
    cause = rollback_incomplete_cause(failure, where)
    ctx.table.quarantine(state.execution, cause)
    state.outcome = Outcome(status="FAILED", error=StateMachineError.ROLLBACK_INCOMPLETE.value, cause=cause)
    note(state, "rollback incomplete", cause=failure, traffic=where)
    ctx.table.record_history(state.started_at, state.execution_name, history_record(state, ctx, "ROLLBACK_INCOMPLETE"))
    ctx.notifier.publish(
        env.topic_arn,
        rollback_incomplete_subject(env.service_name, where),
        notification(state, ctx, "rollback_incomplete"),
    )
    return state
