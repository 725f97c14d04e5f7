"""Real `cutover_service` processes: started ready, stopped with exit code 0, replaced new-before-old,
and always stopped when the `with ServiceFleet()` block ends, whatever ends it."""

from __future__ import annotations

import http.client
import os
import time
from pathlib import Path

import pytest

from cutover.local.load_generator import MCP_GET_VERSION, MCP_HEADERS
from cutover.local.service_processes import ServiceFleet, ServiceProcess, ServiceStartError


def get(url: str, path: str = "/health", method: str = "GET", body: bytes | None = None) -> tuple[int, dict[str, str]]:
    port = int(url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path, body=body, headers=MCP_HEADERS if body else {})
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_process_answers_with_its_version_and_side_and_stops_with_exit_code_0(tmp_path: Path) -> None:
    with ServiceFleet(log_dir=tmp_path) as fleet:
        started_at = time.monotonic()
        process = fleet.start("blue", version="v7")
        assert time.monotonic() - started_at < 15
        status, headers = get(process.url)
        assert status == 200
        assert (headers["x-service-version"], headers["x-cutover-side"]) == ("v7", "blue")
        assert (process.version, process.side, fleet["blue"]) == ("v7", "blue", process)
        pid = process.pid
        assert process.stop() == 0
        assert not pid_exists(pid)
        assert '"message": "stopped"' in process.log_path.read_text()  # its output went to the log file


def test_replace_starts_the_new_process_before_stopping_the_old_one(tmp_path: Path) -> None:
    with ServiceFleet(log_dir=tmp_path) as fleet:
        old = fleet.start("green", version="v1")
        seen_before_stop: list[tuple[bool, int]] = []

        def before_stop(new: ServiceProcess) -> None:
            seen_before_stop.append((old.running, get(new.url)[0]))

        new = fleet.replace("green", version="v2", error_rate=1.0, before_stop=before_stop)
        assert seen_before_stop == [(True, 200)]  # the new one was ready while the old one still ran
        assert old.returncode == 0 and not pid_exists(old.pid)
        assert fleet["green"] is new and new.pid != old.pid
        status, headers = get(new.url)
        assert status == 200 and headers["x-service-version"] == "v2"
        # ERROR_RATE reached the new process: every MCP request fails.
        assert get(new.url, "/mcp", "POST", MCP_GET_VERSION)[0] == 500
        new_pid = new.pid
    assert not pid_exists(new_pid)


@pytest.mark.parametrize("interruption", [RuntimeError, KeyboardInterrupt])
def test_leaving_the_block_on_an_exception_stops_every_process(
    tmp_path: Path, interruption: type[BaseException]
) -> None:
    pids: list[int] = []
    with pytest.raises(interruption), ServiceFleet(log_dir=tmp_path) as fleet:
        pids += [fleet.start("blue").pid, fleet.start("green", version="v2").pid]
        assert all(pid_exists(pid) for pid in pids)
        raise interruption("demo interrupted")
    assert len(pids) == 2 and not any(pid_exists(pid) for pid in pids)


def test_a_process_that_cannot_start_is_reported_with_its_log(tmp_path: Path) -> None:
    with ServiceFleet(log_dir=tmp_path) as fleet, pytest.raises(ServiceStartError, match="ERROR_RATE"):
        fleet.start("blue", error_rate=2.0)  # outside [0, 1]: the service exits 2 at once
    assert fleet.started[0].returncode == 2


def test_a_process_that_does_not_drain_in_time_is_killed(tmp_path: Path) -> None:
    process = ServiceProcess("blue", drain_propagation_seconds=30, log_dir=tmp_path).start()
    asked_at = time.monotonic()
    assert process.stop(timeout_seconds=0.5) == -9  # SIGKILL after the bounded wait
    assert time.monotonic() - asked_at < 3 and not pid_exists(process.pid)


def test_a_fleet_removes_its_own_log_dir_when_it_stops() -> None:
    # Before: every run left a cutover-fleet-* directory in /tmp.
    with ServiceFleet() as fleet:
        fleet.start("blue", version="v1")
        log_dir = fleet.log_dir
        assert log_dir.is_dir()
    assert not log_dir.exists()
