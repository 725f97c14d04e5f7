"""The load generator's engine: a few threads sending requests at a steady rate, counting answers.

It runs in the load generator's own process (load_generator.py); `LoadSpec` is what it is given.
Each request opens a new connection, so every request is routed anew, and each answer is counted
by its `X-Service-Version` and `X-Cutover-Side` headers, which the example service puts on every
response (load_counts.py says what counts as a failure, and whose).
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from cutover.local.load_counts import BUCKET_SECONDS, NO_HEADER, Bucket, Snapshot, is_platform_failure

VERSION_HEADER = "X-Service-Version"
SIDE_HEADER = "X-Cutover-Side"
MAX_FAILURE_EXAMPLES = 5


@dataclass(frozen=True)
class LoadSpec:
    """What to send, how fast and for how long (validated by LoadGenerator)."""

    host: str
    port: int | None
    https: bool
    path: str
    rate_per_second: float
    timeout_seconds: float
    max_seconds: float
    method: str
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    concurrency: int = 16


class LoadSender:
    """Sends `spec.rate_per_second` requests until `stop()` or `spec.max_seconds`."""

    def __init__(self, spec: LoadSpec) -> None:
        self.spec = spec
        self._interval = 1.0 / spec.rate_per_second
        self._lock = threading.Lock()  # guards the counters and the pacing; never held while sending
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started_at = 0.0
        self._next_slot = 0.0
        self._total = 0
        self._sent = 0
        self._late = 0
        self._no_answer = 0
        self._failures = 0
        self._platform_failures = 0
        self._by_version: Counter[str] = Counter()
        self._by_side: Counter[str] = Counter()
        self._by_status: Counter[int] = Counter()
        self._failures_by_version: Counter[str] = Counter()
        self._examples: deque[str] = deque(maxlen=MAX_FAILURE_EXAMPLES)
        self._buckets: dict[int, tuple[Counter[str], list[int]]] = {}  # index → (by version, [failures])

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            raise RuntimeError("the load sender is already started")
        self._started_at = self._next_slot = time.monotonic()
        self._stopping.clear()
        count = self.spec.concurrency
        self._threads = [threading.Thread(target=self._work, name=f"load-{i}", daemon=True) for i in range(count)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> Snapshot:
        """Stop sending; wait (at most the request timeout and a second) for requests in flight."""
        self._stopping.set()
        deadline = time.monotonic() + self.spec.timeout_seconds + 1.0
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return self.snapshot()

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

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
                sent=self._sent,
                late=self._late,
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

    # -- the work -----------------------------------------------------------------------------------
    def _elapsed(self) -> float:
        return time.monotonic() - self._started_at if self._started_at else 0.0

    def _claim_slot(self) -> float:
        """The next send time; a generator that fell behind (slow answers, or a starved process)
        resumes the rate, no burst, and counts the slots it skipped as late."""
        with self._lock:
            now = time.monotonic()
            if self._next_slot < now - self._interval:
                skipped = int((now - self._next_slot) / self._interval)  # the schedule keeps its phase
                self._late += skipped
                self._next_slot += skipped * self._interval
            slot = self._next_slot
            self._next_slot += self._interval
            return slot

    def _work(self) -> None:
        deadline = self._started_at + self.spec.max_seconds
        while not self._stopping.is_set():
            slot = self._claim_slot()
            if slot >= deadline:
                return
            delay = slot - time.monotonic()
            if delay > 0 and self._stopping.wait(delay):
                return
            with self._lock:
                self._sent += 1
            self._record(*self._send())

    def _send(self) -> tuple[int | None, str, str, str | None]:
        """(status or None, version, side, failure description or None) of one request."""
        connection_type = http.client.HTTPSConnection if self.spec.https else http.client.HTTPConnection
        connection = connection_type(self.spec.host, self.spec.port, timeout=self.spec.timeout_seconds)
        try:
            connection.request(self.spec.method, self.spec.path, body=self.spec.body, headers=self.spec.headers)
            response = connection.getresponse()
            data = response.read()
        except TimeoutError:
            return None, NO_HEADER, NO_HEADER, f"timeout after {self.spec.timeout_seconds} s"
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
            if len(self._buckets) > math.ceil(self.spec.max_seconds / BUCKET_SECONDS) + 1:  # bounded (clock slack)
                del self._buckets[min(self._buckets)]
