"""on_rollback hooks: what they receive, and what happens when one fails.

They run after the rollback finished (traffic verified 100 % on the old side, the new side
scaled down, the lock released), so nothing they do can stop or change it: a failure is
recorded on the deployment's history record and announced on SNS, then the next hook runs
and the execution ends with the rollback's own error and cause.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from cutover.shifter.logic.inputs import shorten
from cutover.shifter.logic.state import CaughtError, HookFailure, WorkflowState
from cutover.shifter.steps.context import Context, iso_now, note
from cutover.shifter.steps.records import history_record, notification


def rollback_hook_payload(state: WorkflowState, ctx: Context) -> dict[str, Any]:
    """The other hooks' fields, plus the rollback's trigger (an error name) and its cause.
    Built here rather than in the state machine: a JsonPath to a field a rollback may lack
    (no task definition yet) would fail the task outside any Catch."""
    progress = state.rolling_back
    return {
        "hook": "on_rollback",
        "service": ctx.env.service_name,
        "execution": state.execution,
        "image": state.plan.image if state.plan else None,
        "new_side": state.new_side,
        "old_side": state.live_side,
        "new_task_definition": state.new_task_definition,
        "reason": state.plan.reason if state.plan else state.operation.reason,
        "trigger": progress.trigger if progress else None,
        "cause": progress.message if progress else None,
    }


def describe_failure(answer: Any) -> str:
    """What went wrong, from what the hook's task left at $.hook_result: its answer
    {"status": "FAILED", …}, or the {Error, Cause} its Catch put there."""
    if isinstance(answer, dict) and answer.get("status") == "FAILED":
        reason = answer.get("reason")
        return f"answered FAILED: {reason}" if isinstance(reason, str) else "answered FAILED without a reason"
    try:
        caught = CaughtError.model_validate(answer)
    except ValidationError:
        return f"unexpected answer {shorten(json.dumps(answer, default=str))}"
    message = caught.message()
    return f"{caught.error}: {message}" if message else caught.error


def record_rollback_hook(state: WorkflowState, hook: str, ctx: Context) -> WorkflowState:
    """One on_rollback hook failed: its row in the history, a message on SNS; the outcome,
    the traffic and the lock are left as the rollback left them."""
    env = ctx.env
    failure = describe_failure(state.hook_result)
    state.hook_failures.append(HookFailure(hook=hook, failure=failure, at=iso_now()))
    state.hook_result = None
    note(state, "on_rollback hook failed", hook=hook, failure=failure)
    outcome = state.outcome.status if state.outcome else "ROLLED_BACK"
    ctx.table.record_history(state.started_at, state.execution_name, history_record(state, ctx, outcome))
    ctx.notifier.publish(
        env.topic_arn,
        f"Cutover {env.service_name}: on_rollback hook {hook} failed",
        notification(state, ctx, "rollback_hook_failed") | {"hook": hook, "hook_failure": failure},
    )
    return state
