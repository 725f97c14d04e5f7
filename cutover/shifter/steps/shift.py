"""Shift the production weights one step, and record them."""

from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from cutover.shifter.clock import metrics_now
from cutover.shifter.contract import Side
from cutover.shifter.logic.errors import TargetUnhealthy
from cutover.shifter.logic.quotas import poll_seconds
from cutover.shifter.logic.readiness import ready_for_more_traffic
from cutover.shifter.logic.state import Bake, WorkflowState
from cutover.shifter.logic.subjects import paused_subject
from cutover.shifter.logic.traffic import weights_for
from cutover.shifter.observability import NAMESPACE
from cutover.shifter.steps.context import Context, note
from cutover.shifter.steps.records import notification
from cutover.shifter.steps.requests import PROMOTE, current_lock

# A bake's task token times out this long after the bake should have ended: a backstop
# only (the poll loop completes the token), so an abandoned wait cannot linger.
TOKEN_TIMEOUT_MARGIN_SECONDS = 900


def apply_weights(ctx: Context, new_side: Side, new_weight: int) -> dict[str, int]:
    """One ModifyListener (verified), then the live state and the TrafficWeight metric."""
    env = ctx.env
    weights = {str(side): weight for side, weight in weights_for(new_side, new_weight).items()}
    ctx.load_balancer.write_weights(env.listener_arn, env.target_groups, weights, env.stickiness_seconds)
    for side, weight in weights.items():
        ctx.live.write(side, {"weight": weight})
        emit_weight(ctx, side, weight)
    return weights


def emit_weight(ctx: Context, side: str, weight: int) -> None:
    """TrafficWeight{Service, Side}: the dashboard's weight graph (cutover/cdk/dashboard.py)."""
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        return  # single_metric ignores Powertools' own switch; honour it as Metrics does
    with single_metric(
        name="TrafficWeight",
        unit=MetricUnit.Percent,
        value=weight,
        namespace=NAMESPACE,
        default_dimensions={"Service": ctx.env.service_name},
    ) as metric:
        metric.add_dimension(name="Side", value=side)


def verify_ready_for_more_traffic(state: WorkflowState, ctx: Context, weight: int) -> None:
    """Checked right before each ModifyListener that raises the new side's weight, not only
    once before the first shift: a task can stop during a bake (ECS replaces it, and its
    target drains) and the side must still be able to carry what it is about to get."""
    assert state.new_side is not None and state.desired_count is not None
    health = ctx.load_balancer.target_health(ctx.env.target_groups[state.new_side])
    if not ready_for_more_traffic(health.healthy, state.desired_count, force=state.operation.force):
        states = ", ".join(f"{target} {status}" for target, status in sorted(health.not_healthy.items())) or "none"
        raise TargetUnhealthy(
            f"{state.new_side} has {health.healthy} healthy target(s) of {state.desired_count} desired right before "
            f"its weight would rise to {weight} % (not healthy: {states}); traffic was not raised"
        )


def bake_for(state: WorkflowState, *, phase: str, step_index: int, seconds: int, pause: bool) -> Bake | None:
    if seconds <= 0:
        return None
    plan = state.deployment
    poll = poll_seconds(seconds, plan.poll_interval_seconds)
    # The judge may extend a bake or turn it into a pause (steps/judging.py): the token, a
    # backstop only, must outlast that too.
    judged = 0 if pause else plan.analysis.extra_wait_seconds()
    if not pause and plan.analysis.pauses_when_inconclusive():
        judged += plan.max_pause_seconds
    return Bake(
        phase="final" if phase == "final" else "step",
        step_index=step_index,
        seconds=seconds,
        pause=pause,
        wait_seconds=poll if pause else min(poll, seconds),
        token_timeout_seconds=seconds + judged + TOKEN_TIMEOUT_MARGIN_SECONDS,
        timeline_start=len(state.timeline),
    )


def shift_weights(state: WorkflowState, ctx: Context) -> WorkflowState:
    assert state.new_side is not None
    lock = current_lock(state, ctx)
    steps = state.deployment.steps
    if PROMOTE in lock.requests:
        state.promoted = True
    index = len(steps) - 1 if state.promoted else state.step_index
    step = steps[index]
    if step.weight > state.new_weight:
        verify_ready_for_more_traffic(state, ctx, step.weight)
    weights = apply_weights(ctx, state.new_side, step.weight)
    state.new_weight = step.weight
    state.shifted_at = metrics_now().isoformat()
    state.step_index = index + 1
    state.shifting_done = step.weight == 100
    ctx.table.update_lock(state.execution, {"phase": f"shifted:{step.weight}"})
    note(state, "weights shifted", weights=weights, step=index + 1, of=len(steps))
    if state.promoted:
        state.bake = None  # promote skips the remaining bakes and pauses
    elif step.pause:
        state.bake = bake_for(
            state, phase="step", step_index=index, seconds=state.deployment.max_pause_seconds, pause=True
        )
        ctx.notifier.publish(
            ctx.env.topic_arn,
            paused_subject(state, ctx.env.service_name),
            notification(state, ctx, "paused"),
        )
    else:
        state.bake = bake_for(state, phase="step", step_index=index, seconds=step.bake_seconds, pause=False)
    return state


def begin_final_wait(state: WorkflowState, ctx: Context) -> WorkflowState:
    """The old side stays warm for the termination wait (and the ALB propagation delay)."""
    current_lock(state, ctx)
    if not state.operation.scale_down_old:  # a switch leaves the other side warm: nothing to wait for
        state.bake = None
        return state
    note(state, "final wait", seconds=state.deployment.final_wait_seconds())
    state.bake = bake_for(  # after the note: the bake's own notes begin here (Bake.timeline_start)
        state,
        phase="final",
        step_index=len(state.deployment.steps),
        seconds=state.deployment.final_wait_seconds(),
        pause=False,
    )
    ctx.table.update_lock(state.execution, {"phase": "final-wait"})
    return state
