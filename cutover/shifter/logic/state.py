"""The deployment's state as it travels through the state machine.

Every workflow Lambda receives the whole state and returns the whole new state; the
state machine stores it as the execution's data. A Catch adds `error` ({Error, Cause});
the rollback adds `outcome`.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cutover.shifter.contract import Side
from cutover.shifter.logic.inputs import HookSwitches
from cutover.shifter.logic.plan import DeploymentPlan


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SideSnapshot(_Model):
    """A side's live state when the deployment started (what a rollback returns to)."""

    task_definition: str
    image: str
    desired_count: int
    min_capacity: int | None = None
    max_capacity: int | None = None


class PollLoop(_Model):
    """A bounded polling loop; `phase` tells the state machine which loop runs next."""

    phase: Literal["stability", "health", "done"]
    attempts: int = 0
    max_attempts: int
    wait_seconds: int


class Bake(_Model):
    """Watching alarms at one weight (or during the final wait)."""

    phase: Literal["step", "final"]
    step_index: int
    seconds: int  # how long to bake; for a pause, the maximum pause
    pause: bool = False
    elapsed_seconds: int = 0  # counted from the poll waits, so compressed time stays consistent
    wait_seconds: int
    token_timeout_seconds: int
    status: Literal["baking", "done"] = "baking"
    # The judge (steps/judging.py): checks made, extensions used, a pause it asked for, and the
    # outcomes of the verdict last recorded in the timeline (a verdict that says the same again
    # is counted, not recorded again).
    timeline_start: int = 0  # the first timeline entry noted during this bake
    checks: int = 0
    extensions: int = 0
    judge_paused: bool = False
    verdict: Literal["pass", "fail", "inconclusive"] | None = None  # the latest check's
    recorded: str | None = None
    announced_fail: bool = False  # a dry-run's fail is announced once per bake

    @property
    def key(self) -> str:
        """Identifies this bake on the lock item (the task token belongs to it)."""
        return f"{self.phase}:{self.step_index}"


class CaughtError(_Model):
    """What a Catch puts at $.error."""

    error: str = Field(alias="Error")
    cause: str | None = Field(default=None, alias="Cause")

    def message(self) -> str:
        """The human-readable cause: a Lambda error's message, or a task failure's cause."""
        if not self.cause:
            return ""
        try:
            parsed = json.loads(self.cause)
        except json.JSONDecodeError:
            return self.cause
        if isinstance(parsed, dict) and "errorMessage" in parsed:
            return str(parsed["errorMessage"])
        return self.cause


class RollbackProgress(_Model):
    """Between putting traffic back on the old side and scaling the new side down."""

    trigger: str  # the error name that started the rollback
    message: str  # its readable cause
    traffic_restored: bool  # this rollback (or an earlier attempt of it) changed the weights
    scale_down: bool  # this execution brought the new side up, so the rollback takes it down
    # seconds: nothing is scaled down while an ALB node may still route to it (the listener
    # change reaches every node only after the propagation delay)
    wait_seconds: int


class HookFailure(_Model):
    """An on_rollback hook that failed: recorded and announced, the rollback unchanged."""

    hook: str  # the function's name
    failure: str  # what went wrong, readable
    at: str


class Outcome(_Model):
    status: Literal["SUCCEEDED", "ROLLED_BACK", "FAILED"]
    error: str | None = None
    cause: str
    summary: dict[str, Any] = Field(default_factory=dict)


class TimelineEvent(_Model):
    at: str
    event: str
    detail: dict[str, Any] = Field(default_factory=dict)


Action = Literal["deploy", "switch", "rollback", "promote", "abort", "repair"]


class Operation(_Model):
    """What this execution was asked to do, and how the shared path treats it."""

    action: Action
    to: Side | None = None  # switch: the requested side; rollback: resolved from the history
    force: bool = False
    reason: str | None = None
    # register: a new revision with the image (deploy); reuse: scale a cold side up on its
    # recorded revision (rollback); none: the side is already running (switch, warm rollback).
    prepare: Literal["register", "reuse", "none"] = "register"
    scale_down_old: bool = True  # a switch leaves the other side warm
    repairs_side: Side | None = None  # repair: the side the failed deployment was sending traffic to
    hooks: HookSwitches = Field(default_factory=HookSwitches)  # a deploy's configured hook stages it runs


class WorkflowState(_Model):
    execution: str  # execution ARN: the lock owner and the correlation id
    execution_name: str
    started_at: str
    operation: Operation = Field(default_factory=lambda: Operation(action="deploy"))
    plan: DeploymentPlan | None = None  # known at validation for a deploy; for a switch or
    # rollback once the target side (and so its image) is known
    handled: bool = False  # a signal delivered, or a switch to the side already live
    live_side: Side | None = None  # live when the deployment started: the old side
    new_side: Side | None = None
    previous: SideSnapshot | None = None
    new_task_definition: str | None = None
    desired_count: int | None = None
    bounds: tuple[int, int] | None = None
    step_index: int = 0  # the next step to apply
    new_weight: int = 0  # the new side's current share
    # When the weights last changed, on the clock CloudWatch's datapoints are on
    # (clock.metrics_now): the judge's windows start after it.
    shifted_at: str | None = None
    promoted: bool = False
    shifting_done: bool = False
    loop: PollLoop | None = None
    bake: Bake | None = None
    timeline: list[TimelineEvent] = Field(default_factory=list)
    error: CaughtError | None = None
    rolling_back: RollbackProgress | None = None
    rollback_error: CaughtError | None = None  # the rollback itself failed (RollbackIncomplete)
    quarantine_error: CaughtError | None = None
    finish_error: CaughtError | None = None
    outcome: Outcome | None = None
    hook_result: Any = None  # the last lifecycle hook's answer: whatever the user's Lambda returned
    # (an on_rollback hook's Catch puts its error here too, so no older error outlives the next hook)
    rollback_hook_payload: dict[str, Any] | None = None  # what on_rollback hooks receive (finish_rollback)
    hook_failures: list[HookFailure] = Field(default_factory=list)  # on_rollback hooks that failed

    @property
    def deployment(self) -> DeploymentPlan:
        if self.plan is None:
            raise RuntimeError(f"{self.operation.action} has no plan yet (the live state was not read)")
        return self.plan

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
