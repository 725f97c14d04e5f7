"""Prepare the idle side: a new revision with the image, scaled like the live side."""

from __future__ import annotations

from cutover.shifter.logic.errors import StabilizationTimeout, TargetUnhealthy
from cutover.shifter.logic.readiness import ready_for_first_traffic, steady
from cutover.shifter.logic.state import PollLoop, WorkflowState
from cutover.shifter.steps.context import Context, note
from cutover.shifter.steps.requests import current_lock
from cutover.shifter.steps.scaling import scale_side

# Polling bounds: attempts x poll interval (10 minutes at the default 60 s).
STABILITY_ATTEMPTS = 10
HEALTH_ATTEMPTS = 10
LOOP_WAIT_CAP_SECONDS = 30  # poll at least this often while starting tasks


def prepare_idle_side(state: WorkflowState, ctx: Context) -> WorkflowState:
    env = ctx.env
    assert state.new_side is not None and state.desired_count is not None
    side = state.new_side
    current_lock(state, ctx)
    if state.operation.prepare == "reuse":  # a rollback scales a cold side up on its earlier revision
        revision = state.new_task_definition or ctx.live.read(side).task_definition
    else:
        revision = ctx.ecs.register_revision(
            env.template_task_definitions[side],
            state.deployment.image,
            env.container_name,
            tags={"cutover:execution": state.execution_name, "cutover:side": side},
        )
    scale_side(ctx, side, state.desired_count, state.bounds, task_definition=revision)
    ctx.live.write(side, {"task-definition": revision, "image": state.deployment.image})
    state.new_task_definition = revision
    wait = min(state.deployment.poll_interval_seconds, LOOP_WAIT_CAP_SECONDS)
    state.loop = PollLoop(phase="stability", max_attempts=STABILITY_ATTEMPTS, wait_seconds=wait)
    note(state, "idle side prepared", side=side, task_definition=revision, desired_count=state.desired_count)
    return state


def check_stable(state: WorkflowState, ctx: Context) -> WorkflowState:
    """Steady when every desired task runs the new revision and only one deployment remains."""
    env = ctx.env
    assert state.new_side is not None and state.loop is not None
    current_lock(state, ctx)
    status = ctx.ecs.describe_service(env.cluster, env.services[state.new_side])
    loop = state.loop
    loop.attempts += 1
    if status.rollout_failed:
        raise StabilizationTimeout(
            f"ECS stopped the rollout of {state.new_task_definition} (circuit breaker)"
            + _why_tasks_stopped(ctx, env.cluster, env.services[state.new_side])
        )
    if steady(status, state.new_task_definition, state.desired_count):
        note(state, "idle side stable", running=status.running)
        state.loop = PollLoop(phase="health", max_attempts=HEALTH_ATTEMPTS, wait_seconds=loop.wait_seconds)
    elif loop.attempts >= loop.max_attempts:
        raise StabilizationTimeout(
            f"{env.services[state.new_side]} not steady after {loop.attempts} checks: running {status.running}"
            f"/{status.desired}, {status.deployments} deployment(s), task definition {status.task_definition}"
            + _why_tasks_stopped(ctx, env.cluster, env.services[state.new_side])
        )
    return state


def _why_tasks_stopped(ctx: Context, cluster: str, service: str) -> str:
    """The stopped tasks' own reason is what a person needs (a pull or permission error, a crash)."""
    reasons = ctx.ecs.stopped_task_reasons(cluster, service)
    return f"; its tasks stopped: {' | '.join(reasons)}" if reasons else ""


def check_target_health(state: WorkflowState, ctx: Context) -> WorkflowState:
    """Healthy when every registered target is healthy and there are at least as many as desired."""
    env = ctx.env
    assert state.new_side is not None and state.loop is not None and state.desired_count is not None
    current_lock(state, ctx)
    health = ctx.load_balancer.target_health(env.target_groups[state.new_side])
    loop = state.loop
    loop.attempts += 1
    if ready_for_first_traffic(health.healthy, health.not_healthy, state.desired_count, force=state.operation.force):
        note(state, "targets healthy", healthy=health.healthy, unhealthy=len(health.not_healthy))
        loop.phase = "done"
    elif loop.attempts < loop.max_attempts:
        loop.wait_seconds = max(loop.wait_seconds, min(state.deployment.poll_interval_seconds, LOOP_WAIT_CAP_SECONDS))
    else:
        states = ", ".join(f"{target} {status}" for target, status in sorted(health.not_healthy.items())) or "none"
        raise TargetUnhealthy(
            f"{state.new_side} has {health.healthy} healthy target(s) of {state.desired_count} desired after "
            f"{loop.attempts} checks (not healthy: {states})"
        )
    return state
