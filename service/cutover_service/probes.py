"""The probes' verdicts, as pure functions of the state: a status code and a small JSON body.

- startup: 200 once start-up finished (stays 200 afterwards, draining included);
- live: 200 while the event loop answers in time (lag under LIVE_LAG_THRESHOLD_MS), 503 otherwise;
- ready (and /health, the target group's path): 200 when started and not draining, 503 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cutover_service.settings import Settings
from cutover_service.state import LoopLagMonitor, ServiceState

PASS = "pass"
FAIL = "fail"


@dataclass(frozen=True)
class ProbeResult:
    status_code: int
    body: dict[str, Any]


def _result(probe: str, checks: dict[str, dict[str, Any]], state: ServiceState, settings: Settings) -> ProbeResult:
    healthy = all(check["status"] == PASS for check in checks.values())
    return ProbeResult(
        200 if healthy else 503,
        {
            "probe": probe,
            "status": PASS if healthy else FAIL,
            "phase": str(state.phase),
            "version": settings.service_version,
            "side": settings.side,
            "checks": checks,
        },
    )


def _started_check(state: ServiceState) -> dict[str, Any]:
    return {
        "status": PASS if state.started else FAIL,
        "uptime_seconds": state.seconds_since(state.created_at),
    }


def _not_draining_check(state: ServiceState) -> dict[str, Any]:
    return {
        "status": FAIL if state.draining else PASS,
        "draining_for_seconds": state.seconds_since(state.drain_started_at),
    }


def startup(state: ServiceState, settings: Settings) -> ProbeResult:
    return _result("startup", {"started": _started_check(state)}, state, settings)


def live(state: ServiceState, monitor: LoopLagMonitor, settings: Settings) -> ProbeResult:
    lag_ms = monitor.current_lag() * 1000
    check = {
        "status": PASS if lag_ms <= settings.live_lag_threshold_ms else FAIL,
        "lag_ms": round(lag_ms, 1),
        "max_lag_ms": round(monitor.max_lag * 1000, 1),
        "threshold_ms": settings.live_lag_threshold_ms,
    }
    return _result("live", {"event_loop": check}, state, settings)


def ready(state: ServiceState, settings: Settings) -> ProbeResult:
    checks = {"started": _started_check(state), "not_draining": _not_draining_check(state)}
    return _result("ready", checks, state, settings)
