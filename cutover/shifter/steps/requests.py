"""Promote and abort reach a running deployment through its lock item, checked by every loop."""

from __future__ import annotations

from cutover.shifter.logic.errors import Aborted
from cutover.shifter.logic.state import WorkflowState
from cutover.shifter.readers.lock import Lock
from cutover.shifter.steps.context import Context

ABORT = "abort"
PROMOTE = "promote"


def current_lock(state: WorkflowState, ctx: Context) -> Lock:
    """The lock as this deployment holds it; Aborted if it was asked to stop or lost the lock."""
    lock = ctx.table.get_lock()
    if lock is None or lock.owner != state.execution:
        raise Aborted(f"{state.execution_name} no longer holds the deployment lock")
    if ABORT in lock.requests:
        raise Aborted(lock.trigger or "abort requested")
    return lock
