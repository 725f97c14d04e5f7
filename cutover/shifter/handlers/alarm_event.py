"""EventBridge target: a CloudWatch alarm went into ALARM.

If it is an alarm of the side receiving new traffic (or a global alarm) and a bake is
waiting on its task token, fail that task at once: the deployment rolls back without
waiting for the next poll. An alarm of the old side is ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from cutover.shifter.handlers.event_target import react
from cutover.shifter.logic.errors import AlarmFired
from cutover.shifter.logic.traffic import alarms_to_watch
from cutover.shifter.observability import logger, metrics, tracer
from cutover.shifter.steps.context import Context


class AlarmState(BaseModel):
    value: str
    reason: str = ""
    timestamp: datetime | None = None


class AlarmDetail(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    alarm_name: str = Field(alias="alarmName")
    state: AlarmState


class AlarmStateChange(BaseModel):
    """The EventBridge event "CloudWatch Alarm State Change" (AWS event reference)."""

    detail_type: str = Field(alias="detail-type")
    source: str
    time: datetime
    detail: AlarmDetail


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], lambda_context: LambdaContext) -> dict[str, Any]:
    return react(event, AlarmStateChange, react_to_alarm)


def react_to_alarm(change: AlarmStateChange, ctx: Context) -> dict[str, Any]:
    alarm = change.detail.alarm_name
    if change.detail.state.value != "ALARM":
        return {"action": "ignored", "reason": f"{alarm} is {change.detail.state.value}"}
    lock = ctx.table.get_lock()
    if lock is None or lock.new_side is None:
        return {"action": "ignored", "reason": "no deployment running"}
    logger.set_correlation_id(lock.owner)
    watched = alarms_to_watch(lock.new_side, ctx.env.side_alarms, ctx.env.global_alarms)  # type: ignore[arg-type]
    if alarm not in watched:
        return {"action": "ignored", "reason": f"{alarm} does not watch {lock.new_side}, the side receiving traffic"}
    cause = f"{alarm} in ALARM on {lock.new_side}: {change.detail.state.reason}".strip()
    ctx.table.update_lock(lock.owner, {"trigger": cause})
    if lock.task_token is None:
        return {"action": "recorded", "reason": "no bake waiting; the next poll sees the alarm"}
    failed = ctx.task_tokens.fail(lock.task_token, AlarmFired.__name__, cause)
    reference = change.detail.state.timestamp or change.time
    reaction_ms = (datetime.now(UTC) - reference).total_seconds() * 1000
    metrics.add_metric(name="AlarmReactionTime", unit="Milliseconds", value=max(0.0, reaction_ms))
    logger.info("bake failed by alarm event", extra={"alarm": alarm, "token_failed": failed})
    return {"action": "rollback" if failed else "too-late", "alarm": alarm}
