"""What the CDK app needs to know about this image: port, health checks and drain timings.

Standard library only: the CDK app imports this module without the server's dependencies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

CONTAINER_PORT: Final = 8080
"""The port the server listens on by default (`PORT`), and the one the Dockerfile exposes."""

TARGET_GROUP_HEALTH_PATH: Final = "/health"
"""The target group's health-check path: 200 when started and not draining, 503 otherwise."""

LIVENESS_PATH: Final = "/health/live"
"""What the container health check probes: 503 only when the event loop is stuck."""

HEALTHCHECK_COMMAND: Final = (
    "python -c \"import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + "
    "os.environ.get('PORT', '8080') + '/health/live', timeout=3)\""
)
"""The container health check, a shell command: exits 0 when /health/live answers 2xx, 1 otherwise.

The Dockerfile's HEALTHCHECK runs exactly this string; for ECS use
`ecs.HealthCheck(command=["CMD-SHELL", HEALTHCHECK_COMMAND])`. Slim images have no curl, hence
`python -c`. It reads `PORT` from the container's environment, defaulting to 8080.
"""

SIDE_VARIABLE: Final = "CUTOVER_SIDE"
"""The environment variable the CDK app sets to the task's side, `blue` or `green` (the same name as
Cutover's `ContainerEnv.SIDE`: this package imports nothing of Cutover's, a test keeps them equal)."""

FEATURE_FLAGS_FILE_VARIABLE: Final = "FEATURE_FLAGS_FILE"
"""The environment variable naming the feature-flags file (a JSON object of name -> true/false)."""

FARGATE_MAX_STOP_TIMEOUT_SECONDS: Final = 120
STOP_TIMEOUT_MARGIN_SECONDS: Final = 5


@dataclass(frozen=True)
class DrainTimings:
    """Values for the task definition, derived from the target group's deregistration delay."""

    propagation_seconds: int
    """`DRAIN_PROPAGATION_SECONDS`: how long the server keeps serving after SIGTERM with /health at 503."""
    drain_timeout_seconds: int
    """`DRAIN_TIMEOUT_SECONDS`: how long in-flight requests may take to finish after that."""
    stop_timeout_seconds: int
    """The container's ECS `stopTimeout`: propagation + drain timeout + a margin, before SIGKILL."""

    def environment(self) -> dict[str, str]:
        """The task definition's environment entries for these timings."""
        return {
            "DRAIN_PROPAGATION_SECONDS": str(self.propagation_seconds),
            "DRAIN_TIMEOUT_SECONDS": str(self.drain_timeout_seconds),
        }


def recommended_drain_timings(
    deregistration_delay_seconds: int,
    *,
    health_check_interval_seconds: int = 5,
    unhealthy_threshold_count: int = 2,
) -> DrainTimings:
    """Split a deregistration delay D into propagation + drain timeout, and derive stopTimeout.

    - propagation: the time the load balancer needs to see /health at 503 (interval x unhealthy
      threshold), capped at half of D so that draining keeps at least the other half;
    - drain timeout: the rest of D, so that D covers propagation + drain (the ALB keeps in-flight
      requests on a draining target for at most D);
    - stopTimeout: propagation + drain timeout + 5 s, so SIGKILL never pre-empts the drain
      (Fargate allows at most 120 s).
    """
    if deregistration_delay_seconds < 2:
        raise ValueError("the deregistration delay must be at least 2 s to leave room for propagation and drain")
    detection = health_check_interval_seconds * unhealthy_threshold_count
    propagation = max(1, min(detection, deregistration_delay_seconds // 2))
    drain = deregistration_delay_seconds - propagation
    stop_timeout = propagation + drain + STOP_TIMEOUT_MARGIN_SECONDS
    if stop_timeout > FARGATE_MAX_STOP_TIMEOUT_SECONDS:
        raise ValueError(
            f"propagation {propagation} s + drain {drain} s + margin needs stopTimeout {stop_timeout} s, "
            f"over Fargate's {FARGATE_MAX_STOP_TIMEOUT_SECONDS} s: lower the deregistration delay"
        )
    return DrainTimings(propagation, drain, stop_timeout)


def minimum_stop_timeout_seconds(propagation_seconds: float, drain_timeout_seconds: float) -> int:
    """The smallest `stopTimeout` that lets a server with these settings finish its drain."""
    return math.ceil(propagation_seconds + drain_timeout_seconds) + STOP_TIMEOUT_MARGIN_SECONDS
