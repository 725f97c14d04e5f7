"""What a deployment leaves behind: its history record and the body of its SNS messages
(pure: the workflow state and the service's name in, the record or the body out)."""

from __future__ import annotations

from typing import Any

from cutover.shifter.logic.history import HistoryRecord, HistoryStep
from cutover.shifter.logic.state import WorkflowState


def console_link(execution_arn: str) -> str:
    region = execution_arn.split(":")[3]
    return f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"


def history_record(state: WorkflowState, service: str, outcome: str) -> HistoryRecord:
    plan = state.plan
    return HistoryRecord(
        service=service,
        execution=state.execution,
        action=state.operation.action,
        reason=state.operation.reason or (plan.reason if plan else state.operation.action),
        image=plan.image if plan else None,
        strategy=plan.strategy_name if plan else None,
        steps=tuple(HistoryStep.model_validate(step.model_dump()) for step in plan.steps) if plan else (),
        from_side=state.live_side,
        to_side=state.new_side,
        previous_image=state.previous.image if state.previous else None,
        previous_task_definition=state.previous.task_definition if state.previous else None,
        started_at=state.started_at,
        outcome=outcome,
        trigger=state.outcome.cause if state.outcome and outcome != "SUCCEEDED" else None,
        timeline=tuple(state.timeline),
        hook_failures=tuple(state.hook_failures),
    )


def notification(state: WorkflowState, service: str, event: str) -> dict[str, Any]:
    new, old = state.new_side, state.live_side
    return {
        "service": service,
        "action": state.operation.action,
        "event": event,
        "image": state.plan.image if state.plan else None,
        "previous_image": state.previous.image if state.previous else None,
        "from_side": old,
        "to_side": new,
        "weights": {new: state.new_weight, old: 100 - state.new_weight} if new and old else None,
        "reason": state.operation.reason or (state.plan.reason if state.plan else None),
        "cause": state.outcome.cause if state.outcome else None,
        "execution": state.execution,
        "execution_link": console_link(state.execution),
    }
