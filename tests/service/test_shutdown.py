"""Graceful shutdown of a real server process under load from a second process (tests/service/loadgen.py).

The load generator acts like the ALB: it sends new requests only while /health/ready says 200
(two failed checks in a row and it stops), so a server that keeps serving through its propagation
delay loses no request, and one that closes at once does.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.service.conftest import Launch
from tests.service.server_process import Reply, ServerProcess

LOADGEN = Path(__file__).with_name("loadgen.py")
LOAD_SECONDS = 5.0
THREADS = 8
ANSWERED_BEFORE_SIGTERM = 150  # the load that makes the test mean something
SIGTERM_AT_THE_LATEST = 3.0  # seconds into the load: the rest of it runs through the drain
METRIC = 'cutover_service_requests_total{method="POST",route="/mcp",status="200"} '


def answered(server: ServerProcess) -> float:
    """The MCP calls the server has answered 200, by its /metrics."""
    lines = [line for line in server.metrics().splitlines() if line.startswith(METRIC)]
    return float(lines[0].removeprefix(METRIC)) if lines else 0.0


def run_load_and_sigterm(server: ServerProcess) -> tuple[dict[str, Any], float, float]:
    """Load for up to LOAD_SECONDS, SIGTERM in the middle; the summary, wall time of SIGTERM, shutdown time."""
    options = ["--port", str(server.port), "--duration", str(LOAD_SECONDS), "--rate", "250", "--threads", str(THREADS)]
    options += ["--poll-interval", "0.2", "--unhealthy-threshold", "2"]
    loadgen = subprocess.Popen(
        [sys.executable, str(LOADGEN), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # SIGTERM once the server has answered enough (its own count, plus what the load generator's
        # threads may not have read yet), not after a fixed sleep: a clean-clone run beside three
        # other workers had answered 125 after 1.5 s.
        started = time.monotonic()
        while (
            answered(server) < ANSWERED_BEFORE_SIGTERM + THREADS and time.monotonic() - started < SIGTERM_AT_THE_LATEST
        ):
            time.sleep(0.05)
        assert loadgen.poll() is None, loadgen.communicate()
        sigterm_wall = time.time()
        sent_at = server.terminate()
        exit_code = server.wait_exit(timeout=15)
        shutdown_seconds = time.monotonic() - sent_at
        assert exit_code == 0, server.log()
        out, err = loadgen.communicate(timeout=LOAD_SECONDS + 15)
    finally:
        if loadgen.poll() is None:
            loadgen.kill()
            loadgen.wait(timeout=5)
    assert loadgen.returncode == 0, err
    summary: dict[str, Any] = json.loads(out)
    return summary, sigterm_wall, shutdown_seconds


def test_no_request_fails_across_a_graceful_shutdown_under_load(launch: Launch) -> None:
    server = launch({"DRAIN_PROPAGATION_SECONDS": "1", "DRAIN_TIMEOUT_SECONDS": "3"})
    server.wait_for_startup()

    summary, sigterm_wall, shutdown_seconds = run_load_and_sigterm(server)

    assert summary["failed"] == 0, summary["failures"]
    assert summary["succeeded"] == summary["sent"]
    before = [t for t in summary["success_times"] if t < sigterm_wall]
    after = [t for t in summary["success_times"] if t >= sigterm_wall]
    assert len(before) >= ANSWERED_BEFORE_SIGTERM, f"too little load before SIGTERM to mean anything: {len(before)}"
    assert after, "no request was served after SIGTERM: the drain was not exercised"
    # The load generator saw readiness drop during the propagation delay, well before its hard stop.
    assert summary["deregistered_at"] is not None
    assert sigterm_wall < summary["deregistered_at"] < sigterm_wall + 1.0
    assert 1.0 <= shutdown_seconds <= 1 + 3 + 1.5, shutdown_seconds


def test_the_same_load_fails_without_a_propagation_delay(launch: Launch) -> None:
    """The control for the test above: it can fail. Closing at once refuses the requests sent
    before the load balancer (here the load generator) notices readiness dropped."""
    server = launch({"DRAIN_PROPAGATION_SECONDS": "0", "DRAIN_TIMEOUT_SECONDS": "3"})
    server.wait_for_startup()

    summary, _, _ = run_load_and_sigterm(server)

    assert summary["failed"] > 0, summary
    assert all(
        "Refused" in failure["error"] or "Reset" in failure["error"] or "Disconnected" in failure["error"]
        for failure in summary["failures"]
    ), summary["failures"]


def connection_refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return False
    except ConnectionRefusedError:
        return True


def slow_call_in_background(server: ServerProcess, replies: list[Reply | Exception]) -> threading.Thread:
    def call() -> None:
        try:
            replies.append(server.call_tool("search_appointments", {"patient_name": "turing"}, timeout=15))
        except Exception as error:  # recorded, asserted on by the test
            replies.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    return thread


def wait_in_flight(server: ServerProcess, count: int, timeout: float = 5.0) -> None:
    """Until the in-flight gauge counts `count` requests besides the /metrics request itself."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in server.metrics().splitlines():
            if line.startswith("cutover_service_requests_in_flight ") and float(line.split()[1]) >= count + 1:
                return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} requests in flight after {timeout} s")


def test_a_slow_request_in_flight_at_sigterm_completes(launch: Launch) -> None:
    server = launch({"EXTRA_LATENCY_MS": "2500", "DRAIN_PROPAGATION_SECONDS": "0.5", "DRAIN_TIMEOUT_SECONDS": "4"})
    server.wait_for_startup()
    replies: list[Reply | Exception] = []
    started = time.monotonic()
    caller = slow_call_in_background(server, replies)
    wait_in_flight(server, 1)

    sent_at = server.terminate()
    # After the propagation delay the listener is closed: new connections are refused...
    deadline = time.monotonic() + 3
    while not connection_refused(server.port):
        assert time.monotonic() < deadline, "the listener stayed open after the propagation delay"
        time.sleep(0.05)
    assert time.monotonic() - started < 2.5, "the slow request had to be still in flight here"
    # ...while the request accepted before SIGTERM is answered in full.
    caller.join(timeout=10)
    assert len(replies) == 1 and isinstance(replies[0], Reply), replies
    assert replies[0].status == 200 and b"apt-1003" in replies[0].body
    assert time.monotonic() - started >= 2.5
    assert server.wait_exit(timeout=5) == 0
    assert time.monotonic() - sent_at <= 0.5 + 4 + 1.5


def test_the_drain_timeout_bounds_shutdown_when_a_request_takes_too_long(launch: Launch) -> None:
    server = launch({"EXTRA_LATENCY_MS": "10000", "DRAIN_PROPAGATION_SECONDS": "0.2", "DRAIN_TIMEOUT_SECONDS": "1"})
    server.wait_for_startup()
    replies: list[Reply | Exception] = []
    caller = slow_call_in_background(server, replies)
    wait_in_flight(server, 1)

    sent_at = server.terminate()
    assert server.wait_exit(timeout=8) == 0
    took = time.monotonic() - sent_at
    assert took <= 0.2 + 1 + 1.5, took  # not the 10 s the request wanted
    caller.join(timeout=10)
    assert len(replies) == 1
    assert not (isinstance(replies[0], Reply) and replies[0].status == 200), replies
