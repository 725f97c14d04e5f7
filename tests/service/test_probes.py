"""The probes of a real server process, phase by phase: starting, ready, draining, stuck."""

from __future__ import annotations

import http.client
import os
import signal
import time

from tests.service.conftest import Launch
from tests.service.server_process import Reply, ServerProcess


def poll_until(check: str, server: ServerProcess, path: str, status: int, timeout: float) -> Reply:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = server.get(path)
        if reply.status == status:
            return reply
        time.sleep(0.05)
    raise AssertionError(f"{check}: {path} never answered {status} within {timeout} s:\n{server.log()}")


def test_a_slow_start_answers_503_on_startup_and_ready_until_it_finishes(launch: Launch) -> None:
    server = launch({"STARTUP_DELAY_SECONDS": "2.5", "DRAIN_PROPAGATION_SECONDS": "0"})
    server.wait_listening()
    first_look = time.monotonic()

    startup = server.get("/health/startup")
    assert startup.status == 503, startup.body
    assert startup.json()["phase"] == "starting"
    assert startup.json()["checks"]["started"]["status"] == "fail"
    assert server.get("/health/ready").status == 503
    assert server.get("/health").status == 503
    assert server.get("/health/live").status == 200  # starting is not dead: ECS must not kill it
    tool = server.call_tool("search_appointments", {"patient_name": "ada"})
    assert tool.status == 503 and b"still starting" in tool.body

    poll_until("startup", server, "/health/startup", 200, timeout=10)
    assert time.monotonic() - first_look >= 1.0  # the delay was really waited out, not skipped
    assert server.get("/health/ready").json()["phase"] == "ready"
    assert server.get("/health").status == 200
    assert server.call_tool("search_appointments", {"patient_name": "ada"}).status == 200


def test_sigterm_flips_readiness_at_once_while_the_server_keeps_serving(launch: Launch) -> None:
    server = launch({"DRAIN_PROPAGATION_SECONDS": "2", "DRAIN_TIMEOUT_SECONDS": "2"})
    server.wait_for_startup()
    before = server.get("/health/ready")
    assert before.status == 200 and before.json()["phase"] == "ready"
    assert before.headers.get("connection") != "close"

    sent_at = server.terminate()
    ready = poll_until("draining", server, "/health/ready", 503, timeout=1.0)
    assert time.monotonic() - sent_at < 1.0
    assert ready.json()["phase"] == "draining"
    assert ready.json()["checks"]["not_draining"]["status"] == "fail"
    assert server.get("/health").status == 503  # the target group's path: the ALB stops routing here
    assert server.get("/health/live").status == 200  # but the container is healthy: no restart
    assert server.get("/health/startup").status == 200
    tool = server.call_tool("search_appointments", {"patient_name": "ada"})  # still served
    assert tool.status == 200 and b"apt-1001" in tool.body
    assert tool.headers["connection"] == "close"  # keep-alive clients reconnect elsewhere
    assert time.monotonic() - sent_at < 2.0, "the checks above must run inside the propagation delay"

    assert server.wait_exit(timeout=2 + 2 + 3) == 0
    took = time.monotonic() - sent_at
    assert 2.0 <= took <= 2 + 2 + 2, took
    messages = [record["message"] for record in server.log_records()]
    assert any(message.startswith("SIGTERM: readiness now 503") for message in messages)
    assert any(message.startswith("propagation delay over") for message in messages)


def test_a_stuck_event_loop_fails_the_liveness_probe(shared_server: ServerProcess) -> None:
    """SIGSTOP freezes the whole process; the probe sent meanwhile is answered late, with the lag."""
    assert shared_server.get("/health/live").status == 200
    probe = http.client.HTTPConnection("127.0.0.1", shared_server.port, timeout=10)
    os.kill(shared_server.pid, signal.SIGSTOP)
    try:
        # Sent while the process is stopped: the kernel accepts the connection and holds the request,
        # so the probe is in before the process resumes, whatever this machine's load.
        probe.request("GET", "/health/live")
        time.sleep(1.2)  # how long the process stays frozen (LIVE_LAG_THRESHOLD_MS is 500 on the shared server)
    finally:
        os.kill(shared_server.pid, signal.SIGCONT)
    try:
        answer = probe.getresponse()
        reply = Reply(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
    finally:
        probe.close()
    assert reply.status == 503, reply.body
    check = reply.json()["checks"]["event_loop"]
    assert check["status"] == "fail" and check["lag_ms"] >= 1000 and check["threshold_ms"] == 500
    poll_until("recovery", shared_server, "/health/live", 200, timeout=3)
