"""Background HTTP traffic against a URL, counted by the release that answered: the demo's users.

On AWS the traffic a deployment shifts is real clients', and CloudWatch counts it per target group.
Locally nobody calls the service, so `LoadGenerator` sends requests at a steady rate from a few
threads (a new connection each, so every request is routed anew) and counts each answer by its
`X-Service-Version` and `X-Cutover-Side` headers, which the example service puts on every response.
A failure is what a user would notice: no answer (connection error, timeout) or a status >= 500.
Failures are split by who failed: the **platform** (no answer: a refused or dropped connection or
the client timeout; a 5xx the load balancer itself answered, which carries no version header; a
502/503/504 from a task, which answers those only while starting or draining, where traffic must
not be routed) or the **release** (any other 5xx a release answered: a bad release's own errors
during its canary, bounded by its weight and its bake). Zero downtime means zero platform failures.
Counts are also kept per 0.5 s bucket, so a demo can show the share of v1/v2 over time.

Which path to load: the example service applies `ERROR_RATE` and `EXTRA_LATENCY_MS` to `POST /mcp`
only, never to the probes. `GET /health` (the default) shows which release answers but never fails
on purpose; `LoadGenerator.mcp(url)` sends `get_version` tool calls to `/mcp`, which do.
"""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

_K = TypeVar("_K", str, int)

VERSION_HEADER = "X-Service-Version"
SIDE_HEADER = "X-Cutover-Side"
NO_HEADER = "(none)"  # the answer had no such header (e.g. the router's own 502/503)
BUCKET_SECONDS = 0.5
MAX_FAILURE_EXAMPLES = 5
ROUTING_STATUSES = frozenset({502, 503, 504})  # an ALB's own answers when it cannot route to a target
MCP_PATH = "/mcp"
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
MCP_GET_VERSION = json.dumps(
    {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_version", "arguments": {}}}
).encode()


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


class LoadGenerator:
    """Sends `rate_per_second` requests to `url + path` until `stop()` or `max_seconds`."""

    def __init__(
        self,
        url: str,
        rate_per_second: float = 50.0,
        path: str = "/health",
        timeout_seconds: float = 2.0,
        max_seconds: float = 600.0,
        *,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        concurrency: int = 16,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL")
        if rate_per_second <= 0 or concurrency < 1 or max_seconds <= 0 or timeout_seconds <= 0:
            raise ValueError("rate_per_second, concurrency, max_seconds and timeout_seconds must be positive")
        self.url = url
        self.path = parts.path.rstrip("/") + "/" + path.lstrip("/")
        self.rate_per_second = rate_per_second
        self.timeout_seconds = timeout_seconds
        self.max_seconds = max_seconds
        self.method = method
        self.body = body
        self.headers = {"Connection": "close", **(headers or {})}
        self.concurrency = concurrency
        self._host = parts.hostname
        self._port = parts.port
        self._https = parts.scheme == "https"
        self._interval = 1.0 / rate_per_second
        self._lock = threading.Lock()  # guards the counters and the pacing; never held while sending
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started_at = 0.0
        self._next_slot = 0.0
        self._total = 0
        self._no_answer = 0
        self._failures = 0
        self._platform_failures = 0
        self._by_version: Counter[str] = Counter()
        self._by_side: Counter[str] = Counter()
        self._by_status: Counter[int] = Counter()
        self._failures_by_version: Counter[str] = Counter()
        self._examples: deque[str] = deque(maxlen=MAX_FAILURE_EXAMPLES)
        self._buckets: dict[int, tuple[Counter[str], list[int]]] = {}  # index → (by version, [failures])

    @classmethod
    def mcp(
        cls,
        url: str,
        rate_per_second: float = 50.0,
        timeout_seconds: float = 2.0,
        max_seconds: float = 600.0,
        *,
        concurrency: int = 16,
    ) -> LoadGenerator:
        """`get_version` tool calls (POST /mcp): the requests ERROR_RATE and EXTRA_LATENCY_MS apply to."""
        return cls(
            url,
            rate_per_second,
            MCP_PATH,
            timeout_seconds,
            max_seconds,
            method="POST",
            body=MCP_GET_VERSION,
            headers=MCP_HEADERS,
            concurrency=concurrency,
        )

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> LoadGenerator:
        if self._threads:
            raise RuntimeError("the load generator is already started")
        self._started_at = self._next_slot = time.monotonic()
        self._stopping.clear()
        self._threads = [
            threading.Thread(target=self._work, name=f"load-{index}", daemon=True) for index in range(self.concurrency)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> Snapshot:
        """Stop sending; wait (at most the request timeout and a second) for requests in flight."""
        self._stopping.set()
        deadline = time.monotonic() + self.timeout_seconds + 1.0
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return self.snapshot()

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def __enter__(self) -> LoadGenerator:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- results ------------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            series = tuple(
                Bucket(index * BUCKET_SECONDS, dict(by_version), failures[0])
                for index, (by_version, failures) in sorted(self._buckets.items())
            )
            return Snapshot(
                at_seconds=self._elapsed(),
                total=self._total,
                by_version=dict(self._by_version),
                by_side=dict(self._by_side),
                by_status=dict(self._by_status),
                no_answer=self._no_answer,
                failures=self._failures,
                platform_failures=self._platform_failures,
                release_errors=self._failures - self._platform_failures,
                failures_by_version=dict(self._failures_by_version),
                failure_examples=tuple(self._examples),
                series=series,
            )

    def share_since(self, mark: Snapshot) -> dict[str, float]:
        """Each version's share of the answers received after `mark` (an earlier `snapshot()`)."""
        return self.snapshot().since(mark).shares()

    # -- the work -----------------------------------------------------------------------------------
    def _elapsed(self) -> float:
        return time.monotonic() - self._started_at if self._started_at else 0.0

    def _claim_slot(self) -> float:
        """The next send time; a generator that fell behind (slow answers) resumes the rate, no burst."""
        with self._lock:
            now = time.monotonic()
            if self._next_slot < now - self._interval:
                self._next_slot = now
            slot = self._next_slot
            self._next_slot += self._interval
            return slot

    def _work(self) -> None:
        deadline = self._started_at + self.max_seconds
        while not self._stopping.is_set():
            slot = self._claim_slot()
            if slot >= deadline:
                return
            delay = slot - time.monotonic()
            if delay > 0 and self._stopping.wait(delay):
                return
            self._record(*self._send())

    def _send(self) -> tuple[int | None, str, str, str | None]:
        """(status or None, version, side, failure description or None) of one request."""
        connection_type = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = connection_type(self._host, self._port, timeout=self.timeout_seconds)
        try:
            connection.request(self.method, self.path, body=self.body, headers=self.headers)
            response = connection.getresponse()
            data = response.read()
        except TimeoutError:
            return None, NO_HEADER, NO_HEADER, f"timeout after {self.timeout_seconds} s"
        except (OSError, http.client.HTTPException) as error:
            return None, NO_HEADER, NO_HEADER, f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        version = response.getheader(VERSION_HEADER) or NO_HEADER
        side = response.getheader(SIDE_HEADER) or NO_HEADER
        failure = None
        if response.status >= 500:
            excerpt = data[:120].decode(errors="replace").strip()
            failure = f"HTTP {response.status} from {version}/{side}: {excerpt}"
        return response.status, version, side, failure

    def _record(self, status: int | None, version: str, side: str, failure: str | None) -> None:
        with self._lock:
            elapsed = self._elapsed()
            by_version, failures = self._buckets.setdefault(int(elapsed / BUCKET_SECONDS), (Counter(), [0]))
            self._total += 1
            if status is None:
                self._no_answer += 1
            else:
                self._by_status[status] += 1
                self._by_version[version] += 1
                self._by_side[side] += 1
                by_version[version] += 1
            if failure is not None:
                self._failures += 1
                if is_platform_failure(status, version):
                    self._platform_failures += 1
                failures[0] += 1
                if status is not None:
                    self._failures_by_version[version] += 1
                self._examples.append(f"+{elapsed:.1f}s {failure}")
            if len(self._buckets) > math.ceil(self.max_seconds / BUCKET_SECONDS) + 1:  # bounded (clock slack)
                del self._buckets[min(self._buckets)]
