"""Which side a repair tries first, which deployment a rollback undoes, and when a side is warm."""

from __future__ import annotations

import pytest

from cutover.shifter.contract import Side
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.observed import ServiceStatus
from cutover.shifter.logic.targets import last_successful_deploy, repair_candidates, warm


@pytest.mark.parametrize(
    ("failed_towards", "weights", "order"),
    [
        ("green", {"blue": 0, "green": 100}, ("blue", "green")),  # it was rolling back to blue
        ("blue", {"blue": 100, "green": 0}, ("green", "blue")),
        (None, {"blue": 30, "green": 70}, ("green", "blue")),  # unknown: the heavier side
        (None, {"blue": 50, "green": 50}, ("blue", "green")),  # a tie: blue
        (None, {}, ("blue", "green")),
    ],
)
def test_a_repair_tries_the_side_the_failed_rollback_was_going_to_then_the_other(
    failed_towards: Side | None, weights: dict[str, int], order: tuple[Side, Side]
) -> None:
    assert repair_candidates(failed_towards, weights) == order


def record(execution: str, action: str, outcome: str) -> HistoryRecord:
    return HistoryRecord.model_validate(
        {"service": "app", "execution": execution, "action": action, "outcome": outcome, "started_at": "2026"}
    )


def test_a_rollback_undoes_the_newest_successful_deploy_not_a_switch_or_a_failure() -> None:
    newest_first = [
        record("rolled-back", "deploy", "ROLLED_BACK"),
        record("switched", "switch", "SUCCEEDED"),
        record("succeeded", "deploy", "SUCCEEDED"),
        record("older", "deploy", "SUCCEEDED"),
    ]
    found = last_successful_deploy(newest_first)
    assert found is not None and found.execution == "succeeded"
    assert last_successful_deploy(newest_first[:2]) is None


@pytest.mark.parametrize(
    ("desired", "task_definition", "is_warm"),
    [(2, "td:1", True), (0, "td:1", False), (2, "td:2", False)],
)
def test_a_side_is_warm_when_it_runs_the_revision_with_tasks(desired: int, task_definition: str, is_warm: bool) -> None:
    status = ServiceStatus(desired, desired, 0, task_definition, 1, rollout_failed=False)
    assert warm(status, "td:1") is is_warm
