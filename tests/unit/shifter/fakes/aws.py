"""Fakes of the AWS services behind the ports, each keeping the state the service would."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cutover.shifter.adapters.parameter_seeds import StaleParameter
from cutover.shifter.logic.errors import DeploymentInProgress, WeightsNotApplied
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.observed import ServiceStatus, SideLiveState, TargetHealth
from cutover.shifter.logic.smoke import SmokeResponse
from cutover.shifter.logic.traffic import AlarmStatus
from cutover.shifter.readers.lock import Lock
from cutover.shifter.readers.table_keys import history_sort_key


@dataclass
class FakeLoadBalancer:
    """Keeps the listener's weights; `lagging_reads` reads return the weights before the last
    write (an ALB applies a ModifyListener to its nodes over seconds)."""

    weights: dict[str, int]
    healthy: dict[str, int] = field(default_factory=dict)  # target group ARN → healthy targets
    not_healthy: dict[str, dict[str, str]] = field(default_factory=dict)  # target group ARN → target → state
    lagging_reads: int = 0
    writes: list[dict[str, int]] = field(default_factory=list)
    _before_write: dict[str, int] = field(default_factory=dict)

    def read_weights(self, listener_arn: str, target_groups: Mapping[str, str]) -> dict[str, int]:
        if self.lagging_reads > 0:
            self.lagging_reads -= 1
            return dict(self._before_write)
        return dict(self.weights)

    def write_weights(
        self, listener_arn: str, target_groups: Mapping[str, str], weights: Mapping[str, int], stickiness: int | None
    ) -> dict[str, int]:
        self._before_write = dict(self.weights)
        self.weights = dict(weights)
        self.writes.append(dict(weights))
        applied = self.read_weights(listener_arn, target_groups)  # the adapter's verified write
        if applied != dict(weights):
            raise WeightsNotApplied(f"listener reads back {applied} after writing {dict(weights)}")
        return applied

    def target_health(self, target_group_arn: str) -> TargetHealth:
        return TargetHealth(
            healthy=self.healthy.get(target_group_arn, 0), not_healthy=dict(self.not_healthy.get(target_group_arn, {}))
        )


@dataclass
class FakeService:
    desired: int
    running: int
    task_definition: str
    minimum: int | None = None
    maximum: int | None = None
    deployments: int = 1  # more while ECS replaces the previous revision's tasks
    rollout_failed: bool = False  # the deployment circuit breaker stopped the rollout
    stopped_reasons: list[str] = field(default_factory=list)  # newest first, as ECS keeps them


@dataclass
class FakeEcs:
    """ECS services by name; a service reaches its desired count at once unless `stuck`.
    With autoscaling bounds (FakeAutoscaling), the count is clamped into them, as the
    scalable target would keep it."""

    services: dict[str, FakeService]
    stuck: set[str] = field(default_factory=set)
    calls: list[tuple[str, str, int]] = field(default_factory=list)  # (call, service, value)
    revisions: int = 0

    def describe_service(self, cluster: str, service: str) -> ServiceStatus:
        s = self.services[service]
        return ServiceStatus(s.desired, s.running, 0, s.task_definition, s.deployments, rollout_failed=s.rollout_failed)

    def stopped_task_reasons(self, cluster: str, service: str, limit: int = 2) -> list[str]:
        return self.services[service].stopped_reasons[:limit]

    def register_revision(
        self, base_task_definition: str, image: str, container_name: str, tags: dict[str, str]
    ) -> str:
        self.revisions += 1
        return f"{base_task_definition}:{self.revisions}"

    def image_of(self, task_definition: str, container_name: str) -> str:
        return "registry/app:old"

    def update_service(self, cluster: str, service: str, *, task_definition: str | None = None, desired: int) -> None:
        s = self.services[service]
        if s.minimum is not None and s.maximum is not None:
            desired = max(s.minimum, min(s.maximum, desired))
        s.desired = desired
        if task_definition is not None:
            s.task_definition = task_definition
        if service not in self.stuck:
            s.running = desired
        self.calls.append(("update_service", service, desired))


@dataclass
class FakeAutoscaling:
    ecs: FakeEcs

    def set_bounds(self, cluster: str, service: str, minimum: int, maximum: int) -> None:
        s = self.ecs.services[service]
        s.minimum, s.maximum = minimum, maximum
        self.ecs.calls.append(("set_bounds", service, maximum))


@dataclass
class FakeAlarms:
    states: dict[str, AlarmStatus] = field(default_factory=dict)

    def alarm_states(self, names: Sequence[str]) -> dict[str, AlarmStatus]:
        return {n: self.states[n] for n in names if n in self.states}


@dataclass
class FakeTaskTokens:
    """Tokens of waiting tasks; a token already completed is gone (TaskTimedOut/InvalidToken)."""

    waiting: set[str] = field(default_factory=set)
    results: list[tuple[str, str]] = field(default_factory=list)  # (token, "success" or error name)

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        return self._complete(token, "success")

    def fail(self, token: str, error_name: str, cause: str) -> bool:
        return self._complete(token, error_name)

    def _complete(self, token: str, result: str) -> bool:
        if token not in self.waiting:
            return False
        self.waiting.discard(token)
        self.results.append((token, result))
        return True


@dataclass
class FakeNotifier:
    messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (subject, body)

    def publish(self, topic_arn: str, subject: str, body: dict[str, Any]) -> None:
        self.messages.append((subject[:100], body))  # SNS subjects are at most 100 characters


@dataclass
class FakeProbe:
    """The test route: answers `status` (or per path from `statuses`) in `latency_ms`, or raises
    `error` as urllib does when nothing answers (refused, reset, timeout: an OSError)."""

    status: int = 200
    statuses: dict[str, int] = field(default_factory=dict)  # path → status
    latency_ms: float = 5.0
    error: OSError | None = None
    requests: list[tuple[str, str, dict[str, str], float]] = field(default_factory=list)

    def request(
        self, url: str, method: str, headers: dict[str, str], body: bytes | None, timeout_seconds: float
    ) -> SmokeResponse:
        self.requests.append((method, url, dict(headers), timeout_seconds))
        if self.error is not None:
            raise self.error
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
        status = self.statuses.get(path, self.status)
        return SmokeResponse(status=status, latency_ms=self.latency_ms, body=b"ok", content_type="text/plain")


@dataclass
class FakeSecrets:
    values: dict[str, str] = field(default_factory=dict)

    def secret_string(self, secret_arn: str) -> str:
        return self.values[secret_arn]


@dataclass
class FakeLiveState:
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # side → key → value (SSM strings)

    def read(self, side: str) -> SideLiveState:
        v = self.values[side]
        return SideLiveState(
            weight=int(v["weight"]),
            task_definition=v["task-definition"],
            image=v["image"],
            desired_count=int(v["desired-count"]),
            min_capacity=int(v["min-capacity"]) if "min-capacity" in v else None,
            max_capacity=int(v["max-capacity"]) if "max-capacity" in v else None,
        )

    def write(self, side: str, values: dict[str, str | int]) -> None:
        self.values.setdefault(side, {}).update({k: str(v) for k, v in values.items()})


@dataclass
class FakeTable:
    """The lock item and history; writes honour the same conditions as DeploymentTable's
    (owner for updates and release, not quarantined for release, expiry for acquire, quarantine
    for a repair's take-over). A PutItem "completely replaces the existing item" with the same
    key (DynamoDB API Reference, PutItem: https://docs.aws.amazon.com/amazondynamodb/latest/
    APIReference/API_PutItem.html), so a lock taken is a new one, and so is a history row."""

    lock: Lock | None = None
    records: list[HistoryRecord] = field(default_factory=list)  # every history write, in order
    rows: dict[str, HistoryRecord] = field(default_factory=dict)  # history sort key → the row's last write

    def get_lock(self) -> Lock | None:
        return self.lock

    def acquire(self, owner: str, acquired_at: str, now: int, expires_at: int, details: dict[str, Any]) -> None:
        held = self.lock
        # A quarantined lock has no expires_at and never expires (the adapter's condition too).
        expired = held is not None and held.expires_at is not None and held.expires_at < now and not held.quarantined
        if held is not None and held.owner != owner and not expired:
            raise DeploymentInProgress(f"{held.owner} holds the deployment lock")
        self.lock = Lock(owner=owner, acquired_at=acquired_at, expires_at=expires_at, details=details)

    def update_lock(self, owner: str, values: dict[str, str | None]) -> bool:
        if self.lock is None or self.lock.owner != owner:
            return False
        # As readers/lock.py reads the item: bake_notes is stored as JSON text.
        parsed = {k: json.loads(v) if k == "bake_notes" and v is not None else v for k, v in values.items()}
        self.lock = replace(self.lock, **parsed)  # type: ignore[arg-type]
        return True

    def add_request(self, request: str, trigger: str | None = None) -> str | None:
        if self.lock is None:
            return None
        requests = tuple(sorted({*self.lock.requests, request}))
        self.lock = replace(self.lock, requests=requests, trigger=trigger or self.lock.trigger)
        return self.lock.owner

    def quarantine(self, owner: str, reason: str) -> bool:
        if self.lock is None or self.lock.owner != owner:
            return False
        self.lock = replace(self.lock, quarantined=True, trigger=reason, expires_at=None, task_token=None)
        return True

    def take_over_quarantined(self, owner: str, acquired_at: str, details: dict[str, Any]) -> Lock:
        """The adapter's PutItem with `attribute_not_exists(pk) OR quarantined = :true OR #owner =
        :owner`: expiry plays no part (a stale lock that is not quarantined is not a repair's to
        take), and the new item stays quarantined, without expiry, until the repair succeeds."""
        previous = self.lock
        if previous is not None and not previous.quarantined and previous.owner != owner:
            raise DeploymentInProgress(
                f"{previous.owner} holds the deployment lock and it is not quarantined: nothing to repair"
            )
        self.lock = Lock(
            owner=owner,
            acquired_at=acquired_at,
            expires_at=None,
            quarantined=True,
            details={**details, "repairs": previous.details if previous else {}},
        )
        return previous or Lock(owner=owner, acquired_at=acquired_at, expires_at=None)

    def release_repaired(self, owner: str) -> bool:
        if self.lock is None or self.lock.owner != owner:
            return False
        self.lock = None
        return True

    def release(self, owner: str) -> bool:
        if self.lock is None or self.lock.owner != owner or self.lock.quarantined:
            return False
        self.lock = None
        return True

    def record_history(self, started_at: str, execution_name: str, record: HistoryRecord) -> None:
        self.records.append(record)
        self.rows[history_sort_key(started_at, execution_name)] = record  # PutItem replaces the row

    def history(self, limit: int = 20) -> list[HistoryRecord]:
        """Newest first, as the adapter's Query with ScanIndexForward false reads them."""
        return [self.rows[key] for key in sorted(self.rows, reverse=True)][:limit]


@dataclass
class FakeCloudWatch:
    """GetMetricData as CloudWatch answers it for datapoints already aggregated per period
    (metric name, statistic, dimensions): one page, every result Complete. Wrapped by the real
    adapter (adapters/metric_data.py), as a boto3 client would be."""

    datapoints: dict[tuple[str, str, frozenset[tuple[str, str]]], dict[datetime, float]] = field(default_factory=dict)
    calls: int = 0

    def put(self, metric_name: str, stat: str, dimensions: Mapping[str, str], at: datetime, value: float) -> None:
        self.datapoints.setdefault((metric_name, stat, frozenset(dimensions.items())), {})[at] = value

    def get_metric_data(self, **request: Any) -> dict[str, Any]:
        self.calls += 1
        results = []
        for query in request["MetricDataQueries"]:
            stat = query["MetricStat"]
            metric = stat["Metric"]
            dimensions = frozenset((d["Name"], d["Value"]) for d in metric["Dimensions"])
            points = sorted(
                (at, value)
                for at, value in self.datapoints.get((metric["MetricName"], stat["Stat"], dimensions), {}).items()
                if request["StartTime"] <= at < request["EndTime"]
            )
            results.append(
                {
                    "Id": query["Id"],
                    "Timestamps": [at for at, _ in points],
                    "Values": [value for _, value in points],
                    "StatusCode": "Complete",
                }
            )
        return {"MetricDataResults": results, "Messages": []}


@dataclass
class FakeParameterSeeds:
    """SSM parameters as the capacity seeds use them: PutParameter with Overwrite false refuses
    a name that exists (ParameterAlreadyExists), DeleteParameter of a missing name is
    ParameterNotFound (the adapter tolerates it), and every value is a string."""

    values: dict[str, str] = field(default_factory=dict)

    def read_int(self, name: str) -> int:
        return int(self.values[name])

    def create(self, name: str, value: int) -> None:
        if name in self.values:
            raise StaleParameter(f"{name} already exists")
        self.values[name] = str(value)

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def capacity_seed_request(prefix: str, request_type: str, physical_id: str | None = None) -> dict[str, Any]:
    """The Provider framework's onEvent request to the capacity seed of the side whose live state
    is under `prefix`: RequestType, ResourceProperties with string values as CloudFormation sends
    them, PhysicalResourceId on Update and Delete."""
    properties = {
        "ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:provider",
        "CountParameter": f"{prefix}/desired-count",
        "MinParameter": f"{prefix}/min-capacity",
        "MaxParameter": f"{prefix}/max-capacity",
        "Min": "2",
        "Max": "4",
    }
    event: dict[str, Any] = {"RequestType": request_type, "ResourceProperties": properties}
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    return event
