"""EventBridge target: an execution of the state machine ended FAILED, TIMED_OUT or ABORTED.

A crashed or stopped execution cannot release its own lock. Release it here, only if that
execution still owns it and it is not quarantined (a quarantine waits for a repair); an
expired lock is taken over by the next deployment anyway."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from cutover.shifter.handlers.event_target import react
from cutover.shifter.observability import logger, metrics, tracer
from cutover.shifter.steps.context import Context


class ExecutionDetail(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    execution_arn: str = Field(alias="executionArn")
    status: str


class ExecutionStatusChange(BaseModel):
    """The EventBridge event "Step Functions Execution Status Change" (AWS event reference)."""

    detail_type: str = Field(alias="detail-type")
    source: str
    detail: ExecutionDetail


ENDED_BADLY = {"FAILED", "TIMED_OUT", "ABORTED"}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], lambda_context: LambdaContext) -> dict[str, Any]:
    return react(event, ExecutionStatusChange, release_lock_of_ended)


def release_lock_of_ended(change: ExecutionStatusChange, ctx: Context) -> dict[str, Any]:
    execution, status = change.detail.execution_arn, change.detail.status
    logger.set_correlation_id(execution)
    if status not in ENDED_BADLY:
        return {"action": "ignored", "reason": f"{status} is not a crash"}
    lock = ctx.table.get_lock()
    if lock is None or lock.owner != execution:
        return {"action": "ignored", "reason": "the execution holds no lock"}
    if lock.quarantined:
        return {"action": "kept", "reason": "quarantined: waiting for a repair"}
    released = ctx.table.release(execution)
    logger.info("lock of an ended execution released", extra={"status": status, "released": released})
    return {"action": "released" if released else "ignored", "status": status}
