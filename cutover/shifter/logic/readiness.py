"""When a side is steady, and when its targets may receive production traffic (pure: counts
in, decision out)."""

from __future__ import annotations

from collections.abc import Mapping

from cutover.shifter.logic.observed import ServiceStatus


def ready_for_first_traffic(healthy: int, not_healthy: Mapping[str, str], desired: int, *, force: bool) -> bool:
    """Before a side gets its first traffic: every registered target healthy, and at least
    as many as desired. `force` (a forced switch, a repair) skips the percentage, never the
    "someone can answer" rule: at least one healthy target."""
    if force:
        return healthy > 0
    # A `draining` target was deregistered (a task of the side's previous revision leaving): it
    # gets no new requests whatever the weights, so it must not hold the first traffic back for
    # its whole deregistration delay (AWS's default is 300 s, as long as the health loop's bound).
    staying = [state for state in not_healthy.values() if state != "draining"]
    return not staying and healthy >= desired


def ready_for_more_traffic(healthy: int, desired: int, *, force: bool) -> bool:
    """Right before a ModifyListener raises a side's weight: at least its desired count of
    healthy targets (Argo Rollouts verifies the target group's IPs the same way). Targets
    that are still `initial` (a scale-out) or `draining` (a replaced task) do not count,
    and do not block: the healthy ones carry the traffic."""
    if force:
        return healthy > 0
    return healthy >= desired


def steady(status: ServiceStatus, revision: str | None, desired: int | None) -> bool:
    """A prepared side is steady when every desired task runs the new revision and only one
    ECS deployment remains (the previous revision's tasks are gone)."""
    return (
        status.task_definition == revision and status.deployments == 1 and status.running == status.desired == desired
    )
