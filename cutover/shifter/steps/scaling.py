"""Scale one side: the single place that orders autoscaling bounds and the desired count."""

from __future__ import annotations

from cutover.shifter.steps.context import Context


def scale_side(
    ctx: Context,
    side: str,
    desired: int,
    bounds: tuple[int, int] | None,
    *,
    task_definition: str | None = None,
) -> None:
    """Bounds before the count, as prepare, finish and rollback always did: an idle side is
    pinned at 0..0, and a count outside the bounds still registered could be scaled back.
    `bounds` is None when the service has no autoscaling. The live state records each write."""
    env = ctx.env
    if bounds is not None:
        ctx.autoscaling.set_bounds(env.cluster, env.services[side], *bounds)
        ctx.live.write(side, {"min-capacity": bounds[0], "max-capacity": bounds[1]})
    ctx.ecs.update_service(env.cluster, env.services[side], task_definition=task_definition, desired=desired)
    ctx.live.write(side, {"desired-count": desired})
