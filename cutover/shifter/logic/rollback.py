"""What a rollback undoes (pure): whether the new side had production traffic, and whether
this execution brought it up, so that the rollback scales down only what it started."""

from __future__ import annotations

from collections.abc import Mapping

from cutover.shifter.logic.observed import ServiceStatus
from cutover.shifter.logic.state import WorkflowState


def had_production_traffic(state: WorkflowState, weights: Mapping[str, int]) -> bool:
    """The state says so, or the listener does: a retried attempt finds the weights already
    restored, and the state it was given still says whether the new side had traffic."""
    assert state.new_side is not None
    return state.new_weight > 0 or weights.get(state.new_side, 0) > 0


def brought_up(state: WorkflowState, new_side: ServiceStatus) -> bool:
    """This execution started the new side's tasks (it prepared the side, and the side runs or
    got a revision). A switch, or a warm rollback, targets a side that was already running and
    must leave it as it found it."""
    return state.operation.prepare != "none" and (new_side.desired > 0 or state.new_task_definition is not None)
