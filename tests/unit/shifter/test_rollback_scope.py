"""What a rollback undoes: traffic the new side had, and tasks this execution started."""

from __future__ import annotations

import pytest

from cutover.shifter.logic.observed import ServiceStatus
from cutover.shifter.logic.rollback import brought_up, had_production_traffic
from cutover.shifter.logic.state import Operation, WorkflowState


def state(prepare: str = "register", new_weight: int = 0, new_task_definition: str | None = None) -> WorkflowState:
    return WorkflowState(
        execution="arn:aws:states:eu-west-1:123456789012:execution:shifter:run-1",
        execution_name="run-1",
        started_at="2026-12-02T20:00:00+00:00",
        operation=Operation.model_validate({"action": "deploy", "prepare": prepare}),
        live_side="blue",
        new_side="green",
        new_weight=new_weight,
        new_task_definition=new_task_definition,
    )


def test_the_new_side_had_traffic_if_the_state_or_the_listener_says_so() -> None:
    assert had_production_traffic(state(new_weight=10), {"blue": 100, "green": 0})  # a retried attempt
    assert had_production_traffic(state(), {"blue": 90, "green": 10})  # the shift's state was lost
    assert not had_production_traffic(state(), {"blue": 100, "green": 0})


@pytest.mark.parametrize(
    ("prepare", "desired", "new_task_definition", "scale_down"),
    [
        ("register", 2, None, True),  # tasks started
        ("register", 0, "td:2", True),  # a revision registered, its tasks not yet counted
        ("register", 0, None, False),  # failed before preparing anything
        ("reuse", 2, "td:1", True),  # a rollback that scaled a cold side up
        ("none", 2, "td:1", False),  # a switch or a warm rollback: the side was already running
    ],
)
def test_a_rollback_scales_down_only_what_this_execution_brought_up(
    prepare: str, desired: int, new_task_definition: str | None, scale_down: bool
) -> None:
    status = ServiceStatus(desired, desired, 0, "td:1", 1, rollout_failed=False)
    assert brought_up(state(prepare, new_task_definition=new_task_definition), status) is scale_down
