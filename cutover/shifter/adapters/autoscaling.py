"""Application Auto Scaling bounds of a side (only when autoscaling is configured)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient


class ApplicationAutoScaling:
    """Bound to one autoscaling client, created once per cold start (adapters/aws_clients.py)."""

    def __init__(self, client: ApplicationAutoScalingClient) -> None:
        self._client = client

    def set_bounds(self, cluster: str, service: str, minimum: int, maximum: int) -> None:
        self._client.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=f"service/{cluster}/{service}",
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=minimum,
            MaxCapacity=maximum,
        )
