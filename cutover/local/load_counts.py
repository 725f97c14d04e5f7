"""What the load generator counted: answers by release and side, failures split by who failed.

A failure is what a user would notice: no answer (connection error, timeout) or a status >= 500.
Failures are split by who failed: the **platform** (no answer: a refused or dropped connection or
the client timeout; a 5xx the load balancer itself answered, which carries no version header; a
502/503/504 from a task, which answers those only while starting or draining, where traffic must
not be routed) or the **release** (any other 5xx a release answered: a bad release's own errors
during its canary, bounded by its weight and its bake). Zero downtime means zero platform failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

_K = TypeVar("_K", str, int)

NO_HEADER = "(none)"  # the answer had no such header (e.g. the router's own 502/503)
BUCKET_SECONDS = 0.5
ROUTING_STATUSES = frozenset({502, 503, 504})  # an ALB's own answers when it cannot route to a target


@dataclass(frozen=True)
class Bucket:
    start_seconds: float  # since the generator started
    by_version: dict[str, int]
    failures: int


@dataclass(frozen=True)
class Snapshot:
    """The counts at one moment (`at_seconds` after the start); `since()` gives those of a window."""

    at_seconds: float
    total: int  # requests finished, answered or not
    by_version: dict[str, int]  # answers by X-Service-Version, failed ones included
    by_side: dict[str, int]
    by_status: dict[int, int]
    no_answer: int  # connection errors and timeouts
    failures: int  # no_answer + statuses >= 500
    platform_failures: int  # the platform failed: no answer, or a routing status (module docstring)
    release_errors: int  # failures - platform_failures: errors a release answered itself
    failures_by_version: dict[str, int]  # 5xx answers by version (no_answer has none)
    failure_examples: tuple[str, ...]  # the latest few, each prefixed with its time
    series: tuple[Bucket, ...]  # per BUCKET_SECONDS, in time order, only buckets with requests
    # The schedule (one slot per 1/rate s): requests started, answered or not yet; and slots skipped
    # because the generator fell behind (every worker waiting on an answer, or its process starved).
    # sent + late is the schedule's slots so far, give or take the slots workers are waiting for.
    sent: int = 0
    late: int = 0

    def shares(self) -> dict[str, float]:
        """Each version's fraction of the answers (a request without answer has no version)."""
        answered = sum(self.by_version.values())
        return {version: count / answered for version, count in sorted(self.by_version.items())} if answered else {}

    def failure_rate(self) -> float:
        return self.failures / self.total if self.total else 0.0

    def since(self, earlier: Snapshot) -> Snapshot:
        """The counts of the window between `earlier` and this snapshot."""
        return Snapshot(
            at_seconds=self.at_seconds,
            total=self.total - earlier.total,
            by_version=_minus(self.by_version, earlier.by_version),
            by_side=_minus(self.by_side, earlier.by_side),
            by_status=_minus(self.by_status, earlier.by_status),
            no_answer=self.no_answer - earlier.no_answer,
            failures=self.failures - earlier.failures,
            platform_failures=self.platform_failures - earlier.platform_failures,
            release_errors=self.release_errors - earlier.release_errors,
            failures_by_version=_minus(self.failures_by_version, earlier.failures_by_version),
            failure_examples=tuple(e for e in self.failure_examples if e not in earlier.failure_examples),
            series=tuple(b for b in self.series if b.start_seconds + BUCKET_SECONDS > earlier.at_seconds),
            sent=self.sent - earlier.sent,
            late=self.late - earlier.late,
        )

    def describe(self) -> str:
        """One line for a terminal, e.g. `v1 75% · v2 25% · 2 failures in 400 requests`."""
        shares = " · ".join(f"{version} {share:.0%}" for version, share in self.shares().items()) or "no answers"
        return f"{shares} · {self.failures} failures in {self.total} requests"


def is_platform_failure(status: int | None, version: str) -> bool:
    """A failure the platform caused (see the module docstring), not the release that answered."""
    return status is None or version == NO_HEADER or status in ROUTING_STATUSES


def _minus(later: dict[_K, int], earlier: dict[_K, int]) -> dict[_K, int]:
    return {key: count - earlier.get(key, 0) for key, count in later.items() if count != earlier.get(key, 0)}
