"""ECS tasks run as real processes of the example service: one per side and release, stopped with
SIGTERM (and so drained) when its last task is."""

from __future__ import annotations

from pathlib import Path

from cutover.local.service_processes import ServiceFleet
from cutover.local.task_processes import TaskProcesses
from tests.local.test_service_processes import get


def release_of(image: str) -> str:
    return image.rsplit(":", 1)[-1]


def test_the_tasks_of_a_release_share_a_process_that_gets_sigterm_with_the_last_of_them(tmp_path: Path) -> None:
    with ServiceFleet(log_dir=tmp_path) as fleet:
        tasks = TaskProcesses(fleet, {"demo-green": "green"}, release_of, {"v4": 1.0})
        first = tasks.start_task("demo-green", "10.2.0.10", "shop:v2")
        second = tasks.start_task("demo-green", "10.2.0.11", "shop:v2")
        process = tasks.processes()[("green", "v2")]

        assert first == second == process.url
        status, headers = get(process.url)
        assert (status, headers["x-service-version"], headers["x-cutover-side"]) == (200, "v2", "green")
        tasks.stop_task("demo-green", "10.2.0.10")
        assert process.running
        tasks.stop_task("demo-green", "10.2.0.11")
        assert not process.running
        assert process.returncode == 0  # it drained on SIGTERM and exited by itself
        assert tasks.processes() == {}


def test_a_task_of_a_service_without_a_side_runs_nothing(tmp_path: Path) -> None:
    with ServiceFleet(log_dir=tmp_path) as fleet:
        tasks = TaskProcesses(fleet, {"demo-green": "green"}, release_of)

        assert tasks.start_task("other", "10.9.0.10", "shop:v2") is None
        assert fleet.started == []
