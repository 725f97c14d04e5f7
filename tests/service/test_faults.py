"""The demo's fault injection: ERROR_RATE fails MCP requests (not probes), EXTRA_LATENCY_MS slows them."""

from __future__ import annotations

import time

from tests.service.conftest import Launch


def test_error_rate_one_fails_every_mcp_request_but_not_the_health_checks(launch: Launch) -> None:
    server = launch({"ERROR_RATE": "1.0", "DRAIN_PROPAGATION_SECONDS": "0"})
    server.wait_for_startup()
    for _ in range(5):
        reply = server.call_tool("search_appointments", {"patient_name": "ada"})
        assert reply.status == 500
        assert reply.json()["error"]["message"] == "injected failure (ERROR_RATE)"
    # The target group keeps the task (its health check passes); the smoke tests are what catch it.
    assert server.get("/health").status == 200
    assert server.get("/health/ready").status == 200
    assert server.get("/health/live").status == 200
    metrics = server.metrics()
    assert 'cutover_service_requests_total{method="POST",route="/mcp",status="500"} 5.0' in metrics
    assert "cutover_service_injected_errors_total 5.0" in metrics


def test_error_rate_half_fails_every_other_mcp_request(launch: Launch) -> None:
    server = launch({"ERROR_RATE": "0.5", "DRAIN_PROPAGATION_SECONDS": "0"})
    server.wait_for_startup()
    statuses = [server.call_tool("get_version", {}).status for _ in range(6)]
    assert statuses == [200, 500, 200, 500, 200, 500]


def test_extra_latency_slows_mcp_requests_only(launch: Launch) -> None:
    server = launch({"EXTRA_LATENCY_MS": "600", "DRAIN_PROPAGATION_SECONDS": "0"})
    server.wait_for_startup()
    started = time.monotonic()
    reply = server.call_tool("search_appointments", {"patient_name": "ada"}, timeout=10)
    took = time.monotonic() - started
    assert reply.status == 200
    assert 0.6 <= took < 0.6 + 3.0, took
    started = time.monotonic()
    assert server.get("/health").status == 200
    assert time.monotonic() - started < 0.5  # health checks must not time out because of the demo's latency
