"""promote, abort, and rollback while a deployment runs: messages to the running deployment.

They travel on the deployment's lock item, which every loop of the deployment checks. Both
also fail the task token a bake is waiting on, so they take effect at once however sparse the
bake's polls: an abort as Aborted (the bake rolls back), a promote of a step's bake, or of a
bake the judge paused, as Promoted (the state machine goes on to 100 %, or on from the final
wait). A promote does not shorten a final wait that is not paused."""

from __future__ import annotations

from cutover.shifter.logic.errors import Aborted, NoDeploymentRunning, Promoted
from cutover.shifter.logic.state import Outcome, WorkflowState
from cutover.shifter.logic.subjects import signal_subject
from cutover.shifter.readers.lock import Lock
from cutover.shifter.steps.context import Context, note
from cutover.shifter.steps.records import history_record, notification
from cutover.shifter.steps.requests import ABORT, PROMOTE


def signal_running_deployment(state: WorkflowState, ctx: Context) -> WorkflowState:
    action = state.operation.action
    lock = ctx.table.get_lock()
    running = lock is not None and not lock.quarantined and lock.details.get("action", "deploy") == "deploy"
    if not running:
        if action == "rollback":
            state.handled = False  # nothing running: roll back to the previous side instead
            return state
        holder = f" ({lock.owner} holds the lock for a {lock.details.get('action')})" if lock else ""
        raise NoDeploymentRunning(f"no deployment of {ctx.env.service_name} is running{holder}")
    assert lock is not None
    request = PROMOTE if action == "promote" else ABORT
    reason = state.operation.reason or f"{action} requested"
    cause = f"{action} requested by {state.execution_name}: {reason}"
    ctx.table.add_request(request, trigger=cause if request == ABORT else None)
    # Read after the request is written: a bake registering its token from now on sees the
    # request itself (bake.register_bake_token), so one of the two ends the wait.
    waiting = ctx.table.get_lock() or lock
    immediately = False
    if waiting.task_token and waiting.owner == lock.owner:
        if request == ABORT:
            immediately = ctx.task_tokens.fail(waiting.task_token, Aborted.__name__, cause)
        elif _promote_ends(waiting):
            immediately = ctx.task_tokens.fail(waiting.task_token, Promoted.__name__, cause)
    deployment = lock.owner.rsplit(":", 1)[-1]
    when = "at once" if immediately else "at its next check"
    state.handled = True
    state.outcome = Outcome(
        status="SUCCEEDED",
        cause=f"{action} delivered to {deployment}; it takes effect {when}",
        summary={"action": action, "deployment": lock.owner, "image": lock.details.get("image"), "delivered": when},
    )
    note(state, f"{action} delivered", deployment=lock.owner, when=when)
    ctx.table.record_history(state.started_at, state.execution_name, history_record(state, ctx, "SUCCEEDED"))
    ctx.notifier.publish(
        ctx.env.topic_arn,
        signal_subject(ctx.env.service_name, action, deployment),
        notification(state, ctx, action),
    )
    return state


def _promote_ends(lock: Lock) -> bool:
    """A promote ends a step's bake, and a bake the judge paused for one (the final wait too)."""
    key = lock.task_key or ""
    return key.startswith("step:") or (lock.paused_key is not None and lock.paused_key == key)
