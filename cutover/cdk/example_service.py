"""The example MCP service in service/, as `-c image=asset` deploys it.

Its contract module (port, health checks, drain timings) is shared by the image and the
infrastructure, so the two cannot drift apart; it imports only the standard library."""

from __future__ import annotations

import sys
from pathlib import Path

SERVICE_DIR = Path(__file__).resolve().parents[2] / "service"
if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))

from cutover_service.contract import (  # noqa: E402 - needs service/ on the path first
    CONTAINER_PORT,
    HEALTHCHECK_COMMAND,
    TARGET_GROUP_HEALTH_PATH,
    DrainTimings,
    recommended_drain_timings,
)

ASSET_IMAGE = "asset"  # the `image` value that builds service/ with Docker at deploy time
HEALTH_CHECK_INTERVAL_SECONDS = 5
UNHEALTHY_THRESHOLD = 2

__all__ = [
    "ASSET_IMAGE",
    "CONTAINER_PORT",
    "HEALTHCHECK_COMMAND",
    "HEALTH_CHECK_INTERVAL_SECONDS",
    "SERVICE_DIR",
    "TARGET_GROUP_HEALTH_PATH",
    "UNHEALTHY_THRESHOLD",
    "DrainTimings",
    "drain_timings",
]


def drain_timings(deregistration_delay_seconds: int) -> DrainTimings:
    return recommended_drain_timings(
        deregistration_delay_seconds,
        health_check_interval_seconds=HEALTH_CHECK_INTERVAL_SECONDS,
        unhealthy_threshold_count=UNHEALTHY_THRESHOLD,
    )
