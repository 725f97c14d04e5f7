"""What the shifter reads back from AWS, as plain values: the ports return them, the adapters
build them from boto3 answers, the fakes from memory, and logic/ decides on them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceStatus:
    desired: int
    running: int
    pending: int
    task_definition: str
    deployments: int  # a steady service has exactly one (PRIMARY)
    rollout_failed: bool


@dataclass(frozen=True)
class TargetHealth:
    healthy: int
    not_healthy: dict[str, str]  # target id → state (initial, unhealthy, draining, …)

    @property
    def registered(self) -> int:
        return self.healthy + len(self.not_healthy)


@dataclass(frozen=True)
class SideLiveState:
    weight: int
    task_definition: str
    image: str
    desired_count: int
    min_capacity: int | None
    max_capacity: int | None
