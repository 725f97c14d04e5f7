"""One deployment-history record: what the shifter writes and every reader returns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cutover.shifter.contract import Side
from cutover.shifter.logic.state import Action, HookFailure, TimelineEvent


class HistoryStep(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    weight: int
    bake_seconds: int = 0
    pause: bool = False


class HistoryRecord(BaseModel):
    """A row of the deployment table's history. Records written before a field existed lack it,
    so every field but the identity has a default, and unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    service: str
    execution: str
    action: Action = "deploy"
    reason: str | None = None
    image: str | None = None
    strategy: str | None = None
    steps: tuple[HistoryStep, ...] = ()
    from_side: Side | None = None
    to_side: Side | None = None
    previous_image: str | None = None
    previous_task_definition: str | None = None
    started_at: str
    outcome: str = "RUNNING"
    trigger: str | None = None
    timeline: tuple[TimelineEvent, ...] = Field(default=())
    hook_failures: tuple[HookFailure, ...] = ()  # on_rollback hooks that failed after the rollback
