"""History records and notifications of this service (logic/records.py builds them)."""

from __future__ import annotations

from typing import Any

from cutover.shifter.logic import records
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.state import WorkflowState
from cutover.shifter.steps.context import Context


def history_record(state: WorkflowState, ctx: Context, outcome: str) -> HistoryRecord:
    return records.history_record(state, ctx.env.service_name, outcome)


def notification(state: WorkflowState, ctx: Context, event: str) -> dict[str, Any]:
    return records.notification(state, ctx.env.service_name, event)
