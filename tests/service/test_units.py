"""In-process tests of the pieces the server is made of: settings, drain timings, probes, faults, logs."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time

import pytest
from cutover_service import appointments, probes
from cutover_service.contract import (
    FARGATE_MAX_STOP_TIMEOUT_SECONDS,
    minimum_stop_timeout_seconds,
    recommended_drain_timings,
)
from cutover_service.logs import JsonFormatter
from cutover_service.metrics import route_label
from cutover_service.middleware import ErrorBudget
from cutover_service.settings import Settings, SettingsError
from cutover_service.state import LoopLagMonitor, ServiceState


def test_settings_defaults_are_the_documented_ones() -> None:
    settings = Settings.from_env({})
    assert (settings.port, settings.service_version, settings.side) == (8080, "v1", "unknown")
    assert (settings.drain_propagation_seconds, settings.drain_timeout_seconds) == (10.0, 20)
    assert (settings.error_rate, settings.extra_latency_ms, settings.startup_delay_seconds) == (0.0, 0, 0.0)
    assert settings.live_lag_threshold_ms == 1000
    assert settings.host == "0.0.0.0"


def test_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "PORT": "9000",
            "SERVICE_VERSION": "v2",
            "CUTOVER_SIDE": "blue",
            "DRAIN_PROPAGATION_SECONDS": "1.5",
            "DRAIN_TIMEOUT_SECONDS": "3",
            "ERROR_RATE": "0.25",
            "EXTRA_LATENCY_MS": "40",
            "STARTUP_DELAY_SECONDS": "2",
            "LIVE_LAG_THRESHOLD_MS": "250",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings == Settings(
        port=9000,
        service_version="v2",
        side="blue",
        drain_propagation_seconds=1.5,
        drain_timeout_seconds=3,
        error_rate=0.25,
        extra_latency_ms=40,
        startup_delay_seconds=2.0,
        live_lag_threshold_ms=250,
        log_level="DEBUG",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "http"),
        ("PORT", "0"),
        ("ERROR_RATE", "1.5"),
        ("ERROR_RATE", "nan"),
        ("DRAIN_PROPAGATION_SECONDS", "-1"),
        ("DRAIN_PROPAGATION_SECONDS", "inf"),
        ("DRAIN_TIMEOUT_SECONDS", "2.5"),
        ("EXTRA_LATENCY_MS", "-5"),
        ("LIVE_LAG_THRESHOLD_MS", "0"),
        ("LOG_LEVEL", "loud"),
    ],
)
def test_settings_reject_unusable_values_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_recommended_drain_timings_cover_the_deregistration_delay() -> None:
    timings = recommended_drain_timings(30)
    assert (timings.propagation_seconds, timings.drain_timeout_seconds, timings.stop_timeout_seconds) == (10, 20, 35)
    assert timings.environment() == {"DRAIN_PROPAGATION_SECONDS": "10", "DRAIN_TIMEOUT_SECONDS": "20"}
    for delay in range(2, 116):
        timings = recommended_drain_timings(delay)
        assert timings.propagation_seconds + timings.drain_timeout_seconds == delay
        assert timings.propagation_seconds >= 1 and timings.drain_timeout_seconds >= 1
        assert timings.stop_timeout_seconds == minimum_stop_timeout_seconds(delay, 0)
        assert timings.stop_timeout_seconds <= FARGATE_MAX_STOP_TIMEOUT_SECONDS
    with pytest.raises(ValueError, match="120"):
        recommended_drain_timings(300)
    with pytest.raises(ValueError):
        recommended_drain_timings(1)


def test_error_budget_fails_exactly_the_configured_fraction() -> None:
    assert [ErrorBudget(0.5).should_fail() for _ in range(1)] == [False]
    half = ErrorBudget(0.5)
    assert [half.should_fail() for _ in range(6)] == [False, True, False, True, False, True]
    quarter = ErrorBudget(0.25)
    assert sum(quarter.should_fail() for _ in range(100)) == 25
    assert all(ErrorBudget(1.0).should_fail() for _ in range(10))
    never = ErrorBudget(0.0)
    assert not any(never.should_fail() for _ in range(1000))


def test_route_labels_keep_cardinality_bounded() -> None:
    assert route_label("/mcp") == "/mcp"
    assert route_label("/mcp/") == "/mcp"
    assert route_label("/health/ready") == "/health/ready"
    assert route_label("/wp-admin/setup.php") == "other"


def test_appointment_search_is_deterministic_and_validates_its_input() -> None:
    found = appointments.search("  ADA ")
    assert [a.appointment_id for a in found] == ["apt-1001", "apt-1002"]
    assert [a.appointment_id for a in appointments.search("alan")] == ["apt-1003", "apt-1005"]
    assert [a.appointment_id for a in appointments.search("a", "2030-03-04")] == ["apt-1006", "apt-1001", "apt-1003"]
    assert appointments.search("nobody") == []
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        appointments.search("ada", "next tuesday")
    with pytest.raises(ValueError, match="empty"):
        appointments.search(" ")


def test_lifecycle_phases_and_the_probes_that_follow_them() -> None:
    settings = Settings(service_version="v9", side="blue")
    state = ServiceState()
    monitor = LoopLagMonitor()
    assert state.phase.value == "starting"
    assert probes.startup(state, settings).status_code == 503
    assert probes.ready(state, settings).status_code == 503
    assert probes.live(state, monitor, settings).status_code == 200
    state.mark_started()
    assert state.phase.value == "ready"
    assert probes.startup(state, settings).status_code == 200
    ready = probes.ready(state, settings)
    assert ready.status_code == 200
    assert ready.body["checks"]["not_draining"]["status"] == "pass"
    assert (ready.body["version"], ready.body["side"]) == ("v9", "blue")
    assert state.begin_drain() is True
    assert state.begin_drain() is False
    draining = probes.ready(state, settings)
    assert draining.status_code == 503
    assert draining.body["phase"] == "draining"
    assert draining.body["checks"]["started"]["status"] == "pass"
    assert draining.body["checks"]["not_draining"]["status"] == "fail"
    assert draining.body["checks"]["not_draining"]["draining_for_seconds"] >= 0
    assert probes.startup(state, settings).status_code == 200
    assert probes.live(state, monitor, settings).status_code == 200


def test_a_blocked_event_loop_fails_the_liveness_probe_then_recovers() -> None:
    settings = Settings(live_lag_threshold_ms=100)
    state = ServiceState()

    async def scenario() -> tuple[int, float, int]:
        monitor = LoopLagMonitor(interval_seconds=0.02)
        task = asyncio.create_task(monitor.run())
        try:
            await asyncio.sleep(0.1)
            healthy = probes.live(state, monitor, settings).status_code
            assert healthy == 200, monitor.current_lag()
            time.sleep(0.3)  # a blocking call on the loop: nothing else runs meanwhile
            await asyncio.sleep(0)  # the monitor wakes ~0.3 s late
            stuck = probes.live(state, monitor, settings)
            await asyncio.sleep(0.1)  # a few on-time ticks
            return (
                stuck.status_code,
                stuck.body["checks"]["event_loop"]["lag_ms"],
                probes.live(state, monitor, settings).status_code,
            )
        finally:
            task.cancel()

    status, lag_ms, recovered = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert status == 503
    assert lag_ms >= 250
    assert recovered == 200


def test_json_log_lines_carry_extras_and_static_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter({"side": "green"}))
    logger = logging.getLogger("tests.service.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("drained %d requests", 3, extra={"route": "/mcp", "color_message": "ansi"})
    finally:
        logger.removeHandler(handler)
    record = json.loads(stream.getvalue())
    assert record["message"] == "drained 3 requests"
    assert (record["level"], record["logger"], record["side"], record["route"]) == (
        "WARNING",
        "tests.service.json",
        "green",
        "/mcp",
    )
    assert "color_message" not in record
