"""What the steps need from AWS, as small protocols: adapters/ implements them with boto3,
tests/unit/shifter/fakes/ in memory. Steps reach them only through `Context`; the handlers
that are not steps take theirs as arguments. Nothing here imports boto3."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from cutover.shifter.logic.analysis.models import CheckSamples
from cutover.shifter.logic.analysis.queries import QueryPlan
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.observed import ServiceStatus, SideLiveState, TargetHealth
from cutover.shifter.logic.smoke import SmokeResponse
from cutover.shifter.logic.traffic import AlarmStatus
from cutover.shifter.readers.lock import Lock


class LoadBalancer(Protocol):
    def read_weights(self, listener_arn: str, target_groups: Mapping[str, str]) -> dict[str, int]: ...

    def write_weights(
        self,
        listener_arn: str,
        target_groups: Mapping[str, str],
        weights: Mapping[str, int],
        stickiness_seconds: int | None,
    ) -> dict[str, int]: ...

    def target_health(self, target_group_arn: str) -> TargetHealth: ...


class Services(Protocol):
    def describe_service(self, cluster: str, service: str) -> ServiceStatus: ...

    def stopped_task_reasons(self, cluster: str, service: str, limit: int = 2) -> list[str]: ...

    def register_revision(
        self, base_task_definition: str, image: str, container_name: str, tags: dict[str, str]
    ) -> str: ...

    def image_of(self, task_definition: str, container_name: str) -> str: ...

    def update_service(
        self, cluster: str, service: str, *, task_definition: str | None = None, desired: int
    ) -> None: ...


class Autoscaling(Protocol):
    def set_bounds(self, cluster: str, service: str, minimum: int, maximum: int) -> None: ...


class Alarms(Protocol):
    def alarm_states(self, names: Sequence[str]) -> dict[str, AlarmStatus]: ...


class TaskTokens(Protocol):
    def succeed(self, token: str, output: dict[str, Any]) -> bool: ...

    def fail(self, token: str, error_name: str, cause: str) -> bool: ...


class Notifier(Protocol):
    def publish(self, topic_arn: str, subject: str, body: dict[str, Any]) -> None: ...


class Probe(Protocol):
    def request(
        self, url: str, method: str, headers: dict[str, str], body: bytes | None, timeout_seconds: float
    ) -> SmokeResponse: ...


class Secrets(Protocol):
    def secret_string(self, secret_arn: str) -> str: ...


class Table(Protocol):
    """The deployment lock and history (adapters/deployment_table.py has the conditions)."""

    def get_lock(self) -> Lock | None: ...

    def acquire(self, owner: str, acquired_at: str, now: int, expires_at: int, details: dict[str, Any]) -> None: ...

    def update_lock(self, owner: str, values: dict[str, str | None]) -> bool: ...

    def add_request(self, request: str, trigger: str | None = None) -> str | None: ...

    def quarantine(self, owner: str, reason: str) -> bool: ...

    def take_over_quarantined(self, owner: str, acquired_at: str, details: dict[str, Any]) -> Lock: ...

    def release_repaired(self, owner: str) -> bool: ...

    def release(self, owner: str) -> bool: ...

    def record_history(self, started_at: str, execution_name: str, record: HistoryRecord) -> None: ...

    def history(self, limit: int = 20) -> list[HistoryRecord]: ...


class LiveState(Protocol):
    def read(self, side: str) -> SideLiveState: ...

    def write(self, side: str, values: dict[str, str | int]) -> None: ...


class MetricDataReader(Protocol):
    """The judge's one GetMetricData call per check (all pages), as samples."""

    def read(self, plan: QueryPlan) -> CheckSamples: ...


class ParameterSeeds(Protocol):
    """Create-once SSM parameters (the capacity-seed custom resource)."""

    def read_int(self, name: str) -> int: ...

    def create(self, name: str, value: int) -> None: ...

    def delete(self, name: str) -> None: ...
