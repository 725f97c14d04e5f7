"""When a prepared side is steady, and when it may receive production traffic."""

from __future__ import annotations

import pytest

from cutover.shifter.logic.observed import ServiceStatus
from cutover.shifter.logic.readiness import ready_for_first_traffic, ready_for_more_traffic, steady


def test_first_traffic_needs_every_registered_target_healthy_and_the_desired_count() -> None:
    assert ready_for_first_traffic(2, {}, 2, force=False)
    assert not ready_for_first_traffic(1, {}, 2, force=False)
    assert not ready_for_first_traffic(2, {"10.2.0.12": "initial"}, 2, force=False)
    assert not ready_for_first_traffic(2, {"10.2.0.12": "unhealthy"}, 2, force=False)


def test_draining_targets_of_a_previous_revision_do_not_hold_first_traffic_back() -> None:
    assert ready_for_first_traffic(2, {"10.2.0.10": "draining", "10.2.0.11": "draining"}, 2, force=False)
    assert not ready_for_first_traffic(1, {"10.2.0.10": "draining"}, 2, force=False)


def test_force_needs_one_healthy_target_never_none() -> None:
    assert ready_for_first_traffic(1, {"10.2.0.11": "unhealthy"}, 2, force=True)
    assert not ready_for_first_traffic(0, {"10.2.0.11": "unhealthy"}, 2, force=True)
    assert ready_for_more_traffic(1, 3, force=True)
    assert not ready_for_more_traffic(0, 3, force=True)


def test_more_traffic_needs_the_desired_count_healthy_whatever_else_is_registered() -> None:
    assert ready_for_more_traffic(2, 2, force=False)  # a scale-out's `initial` targets do not block
    assert ready_for_more_traffic(3, 2, force=False)
    assert not ready_for_more_traffic(1, 2, force=False)  # a replaced task: one short


@pytest.mark.parametrize(
    ("running", "desired", "task_definition", "deployments", "is_steady"),
    [
        (2, 2, "td:2", 1, True),
        (1, 2, "td:2", 1, False),  # a task still starting
        (2, 2, "td:2", 2, False),  # the previous revision's tasks still running
        (2, 2, "td:1", 1, False),  # the old revision
        (3, 3, "td:2", 1, False),  # not the desired count the deployment set (autoscaling moved it)
    ],
)
def test_a_side_is_steady_when_every_desired_task_runs_the_new_revision_alone(
    running: int, desired: int, task_definition: str, deployments: int, is_steady: bool
) -> None:
    status = ServiceStatus(desired, running, 0, task_definition, deployments, rollout_failed=False)
    assert steady(status, "td:2", 2) is is_steady
