"""Where read_live_state sends traffic: the idle side for a deploy; for a switch, a repair
or a rollback, the side it names, once the reads show that side can take it."""

from __future__ import annotations

from cutover.shifter.contract import Side
from cutover.shifter.logic.errors import LiveStateMismatch, NothingToRollBack, TargetUnhealthy
from cutover.shifter.logic.observed import SideLiveState
from cutover.shifter.logic.plan import build_traffic_plan
from cutover.shifter.logic.state import Outcome, PollLoop, SideSnapshot, WorkflowState
from cutover.shifter.logic.targets import ROLLBACK_HISTORY_LIMIT, last_successful_deploy, repair_candidates, warm
from cutover.shifter.logic.traffic import live_side_from_weights, other_side, weights_for
from cutover.shifter.steps.context import Context

HEALTH_ATTEMPTS = 10


def target_deploy(state: WorkflowState, ctx: Context, weights: dict[str, int]) -> None:
    """The idle side, prepared like the live one."""
    live = live_side_from_weights(weights, deployment_running=False)
    _snapshot(state, ctx, live=live, new=other_side(live))


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


def target_switch(state: WorkflowState, ctx: Context, weights: dict[str, int]) -> None:
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


def target_repair(state: WorkflowState, ctx: Context, weights: dict[str, int]) -> None:
    """The side the failed deployment was rolling back to, if it can serve; else the other."""
    reasons = []
    for side in repair_candidates(state.operation.repairs_side, weights):
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


def target_rollback(state: WorkflowState, ctx: Context, weights: dict[str, int]) -> None:
    """Back to the side that was live before the last successful deployment."""
    last = last_successful_deploy(ctx.table.history(limit=ROLLBACK_HISTORY_LIMIT))
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
    is_warm = warm(status, revision)
    # A manual rollback leaves the side it leaves warm, so that a switch can undo it.
    state.operation = state.operation.model_copy(
        update={"to": target, "prepare": "none" if is_warm else "reuse", "scale_down_old": False}
    )
    state.new_task_definition = revision
    if is_warm:
        state.desired_count = status.desired
        state.loop = PollLoop(phase="health", max_attempts=HEALTH_ATTEMPTS, wait_seconds=0)
    state.plan = build_traffic_plan(
        image, ctx.env.defaults, reason=state.operation.reason or f"roll back to {image}", smoke_tests=True
    )
