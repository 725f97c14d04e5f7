"""Application Auto Scaling bounds of a side (only when autoscaling is configured)."""

from __future__ import annotations

from shifter.adapters import aws_clients


def set_bounds(cluster: str, service: str, minimum: int, maximum: int) -> None:
    aws_clients.autoscaling().register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=f"service/{cluster}/{service}",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=minimum,
        MaxCapacity=maximum,
    )
