"""A deployment in progress, as the steps after read_live_state receive it, and the stack's
defaults a plan is built from."""

from __future__ import annotations

from typing import Any

from cutover.shifter.logic.plan import Defaults, DeploymentPlan, PlanStep
from cutover.shifter.logic.state import Operation, SideSnapshot, WorkflowState
from cutover.shifter.readers.lock import Lock
from tests.unit.shifter.fakes.context import World

EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:shifter:run-1"
STARTED_AT = "2026-12-02T20:00:00+00:00"


def stack_defaults(**fields: Any) -> Defaults:
    """A canary stack's defaults (10 %, then 100 %; 300 s bakes, 900 s termination wait),
    with `fields` changed."""
    values: dict[str, Any] = {
        "strategy": "canary",
        "canary_weight": 10,
        "linear_step": 20,
        "bake_seconds": 300,
        "termination_wait_seconds": 900,
        "poll_interval_seconds": 60,
        "alb_propagation_seconds": 60,
        "max_pause_seconds": 86_400,
        "health_check_path": "/",
    }
    return Defaults(**(values | fields))


def plan(*steps: PlanStep, **changes: object) -> DeploymentPlan:
    base = DeploymentPlan(
        image="registry/app:new",
        steps=steps
        or (PlanStep(weight=10, bake_seconds=60, pause=False), PlanStep(weight=100, bake_seconds=0, pause=False)),
        smoke_tests=(),
        termination_wait_seconds=60,
        poll_interval_seconds=10,
        alb_propagation_seconds=5,
        max_pause_seconds=3600,
        reason="test",
        strategy_name="canary",
    )
    return base.model_copy(update=changes)


def deploying(w: World, **changes: object) -> WorkflowState:
    """A deploy of registry/app:new from blue to green, holding the lock."""
    w.table.lock = Lock(owner=EXECUTION, acquired_at=STARTED_AT, expires_at=2_000_000_000)
    state = WorkflowState(
        execution=EXECUTION,
        execution_name="run-1",
        started_at=STARTED_AT,
        operation=Operation(action="deploy"),
        plan=plan(),
        live_side="blue",
        new_side="green",
        previous=SideSnapshot(task_definition="app-blue-td:1", image="registry/app:old", desired_count=2),
        desired_count=2,
        bounds=(2, 4),
    )
    return state.model_copy(update=changes)
