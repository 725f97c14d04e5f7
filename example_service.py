"""The example MCP service in service/, as `-c image=asset` deploys it: this repository's app
supplies its image, and its port, health checks and drain timings.

Its contract module (port, health checks, drain timings) is shared by the image and the
infrastructure, so the two cannot drift apart; it imports only the standard library. Not part
of the `cutover` package: a user's app supplies its own image (cutover.cdk.SuppliedImage)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import aws_ecs as ecs

from cutover.cdk.supplied_image import SuppliedImage
from cutover.config import ASSET_IMAGE, ServiceConfig

SERVICE_DIR = Path(__file__).resolve().parent / "service"
if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))

from cutover_service.contract import (  # noqa: E402 - needs service/ on the path first
    CONTAINER_PORT,
    HEALTHCHECK_COMMAND,
    TARGET_GROUP_HEALTH_PATH,
    DrainTimings,
    recommended_drain_timings,
)

HEALTH_CHECK_INTERVAL_SECONDS = 5
UNHEALTHY_THRESHOLD = 2


def defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """`image=asset` deploys service/: its port and health checks, unless set explicitly."""
    if values.get("image") != ASSET_IMAGE:
        return {}
    return {
        "container_port": CONTAINER_PORT,
        "health_check_path": TARGET_GROUP_HEALTH_PATH,
        "container_health_command": HEALTHCHECK_COMMAND,
        "health_check_interval_seconds": HEALTH_CHECK_INTERVAL_SECONDS,
        "health_check_timeout_seconds": HEALTH_CHECK_INTERVAL_SECONDS - 2,
        "unhealthy_threshold": UNHEALTHY_THRESHOLD,
    }


def drain_timings(deregistration_delay_seconds: int) -> DrainTimings:
    """ValueError when the drain would not fit Fargate's stopTimeout."""
    return recommended_drain_timings(
        deregistration_delay_seconds,
        health_check_interval_seconds=HEALTH_CHECK_INTERVAL_SECONDS,
        unhealthy_threshold_count=UNHEALTHY_THRESHOLD,
    )


def supplied_image(config: ServiceConfig) -> SuppliedImage:
    """Built from service/ with Docker at deploy time; it drains in step with the target group (service/README.md)."""
    timings = drain_timings(config.deregistration_delay_seconds)
    environment = {
        **timings.environment(),
        "PORT": str(config.container_port),
        "SERVICE_VERSION": config.service_version,
    }
    return SuppliedImage(ecs.ContainerImage.from_asset(str(SERVICE_DIR)), timings.stop_timeout_seconds, environment)
