"""The router's data plane in its own process: the ALB's nodes answer on their own interpreter.

In the harness's process, moto's Step Functions interpreter, the in-process Lambdas and 64
router handler threads compete for one interpreter lock: while a step ran, the router took up to
~1 s to answer (a switch's smoke test measured `GET /health` at 502 ms against its 500 ms limit
in a clean-clone `make test`, 2026-12-03, and the load reached ~60 of the 100 requests/s asked
for). Those were the harness's pauses, not the platform's: an ALB's nodes are not the
control plane's machines.

So the parent keeps what needs local AWS — a `ListenerRouter(serve=False)` reading the
listener, tracking each node's propagation and the targets' health (ecs_emulation) — and sends
its `routing_table()` to a child process whenever it changes (checked every `FEED_SECONDS`).
The child serves HTTP with the same routing code (router.RoutingServer) from the last table it
was sent, and sends back, every `REPORT_SECONDS`, the answers it proxied (for the ALB's
CloudWatch metrics, alb_metrics.py, stamped with when they were answered) and its counts.

What the split costs: a change reaches the child within `FEED_SECONDS` real time (5 ms: half an
AWS second at the demo's 0.01, against the seconds a listener change or a health check takes
on AWS), and `stats()` is as fresh as the child's last report.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Protocol

from cutover.local import time_compression
from cutover.local.aws_timing import AwsTiming, clock
from cutover.local.router import ListenerConfig, ListenerRouter, RouterStats, RoutingServer, RoutingTable, TargetSource

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

FEED_SECONDS = 0.005
REPORT_SECONDS = 0.02
START_TIMEOUT_SECONDS = 30.0  # a spawned interpreter imports the router: a second or two on a busy machine


class TimedMetricsSink(Protocol):
    """alb_metrics.AlbMetrics: answers counted in the period of the AWS second `at` they were given."""

    def record(
        self, target_group_arn: str, status: int, response_seconds: float, *, at: float | None = None
    ) -> None: ...


@dataclass(frozen=True)
class Answered:
    """One answer a target gave, at `real_at` on `time.monotonic()`: CLOCK_MONOTONIC on Linux, one
    clock for every process of the machine (an age measured in the child would miss the pipe's
    latency, which is whole AWS seconds at a fine compression)."""

    target_group_arn: str
    status: int
    response_seconds: float
    real_at: float


@dataclass(frozen=True)
class Report:
    answered: tuple[Answered, ...]
    routed: dict[str, int]
    by_rule: dict[str, int]
    by_status: dict[int, int]


@dataclass
class _AnswerBuffer:
    """The child's metrics sink: answers kept until the next report."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: list[tuple[str, int, float, float]] = field(default_factory=list)

    def record(self, target_group_arn: str, status: int, response_seconds: float) -> None:
        with self.lock:
            self.pending.append((target_group_arn, status, response_seconds, time.monotonic()))

    def drain(self) -> tuple[Answered, ...]:
        with self.lock:
            pending, self.pending = self.pending, []
        return tuple(Answered(arn, status, seconds, at) for arn, status, seconds, at in pending)


class TableRouter(RoutingServer):
    """Serves from the last routing table it was given; each request reaches the next node in turn."""

    def __init__(self, table: RoutingTable, upstream_timeout_seconds: float, sink: _AnswerBuffer) -> None:
        super().__init__(upstream_timeout_seconds, sink)
        self._table = table
        self._nodes = itertools.count()

    def set_table(self, table: RoutingTable) -> None:
        self._table = table  # replaced whole: a request reads one table

    def _node_config(self) -> ListenerConfig:
        nodes = self._table.nodes
        return nodes[next(self._nodes) % len(nodes)]

    def _upstreams_of(self, target_group_arn: str) -> tuple[str, ...] | None:
        return self._table.upstreams.get(target_group_arn)


def serve_routing(table: RoutingTable, upstream_timeout_seconds: float, connection: Connection) -> None:
    """The router process: serve, apply tables as they come, report; end when told or orphaned."""
    # A terminal's Ctrl-C reaches every process of its foreground group: the parent stops this one
    # when it is done with it, or its pipe closes and this process ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sink = _AnswerBuffer()
    router = TableRouter(table, upstream_timeout_seconds, sink)
    router._start_serving()
    connection.send(router.url)
    try:
        while True:
            try:
                if connection.poll(REPORT_SECONDS):
                    message = connection.recv()
                    if message == "stop":
                        return
                    router.set_table(message)
                    continue
                connection.send(Report(sink.drain(), *router.counts()))
            except (EOFError, OSError):
                return  # the parent is gone
    finally:
        router._stop_serving(2.0)


class RouterProcess:
    """`ListenerRouter`'s API, with the serving done by a child process (see the module's docstring)."""

    def __init__(
        self,
        listener_arn: str,
        elbv2_client_factory: Callable[[], ElasticLoadBalancingv2Client],
        *,
        timing: AwsTiming | None = None,
        targets: TargetSource | None = None,
        alb_metrics: TimedMetricsSink | None = None,
        upstreams: Mapping[str, list[str]] | None = None,
        upstream_timeout_seconds: float = 10.0,
    ) -> None:
        self.control = ListenerRouter(
            listener_arn, upstreams or {}, elbv2_client_factory, timing=timing, targets=targets, serve=False
        )
        self.upstream_timeout_seconds = upstream_timeout_seconds
        self._alb_metrics = alb_metrics
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._url: str | None = None
        self._last: Report = Report((), {}, {}, {})
        self._stopping = threading.Event()
        self._feeder: threading.Thread | None = None

    def start(self) -> RouterProcess:
        if self._process is not None:
            raise RuntimeError("the router is already started")
        self.control.start()
        table = self.control.routing_table()
        # spawn, not fork: this process has threads (moto, the feeder) whose locks a fork copies
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self._process = context.Process(
            target=serve_routing,
            args=(table, self.upstream_timeout_seconds, theirs),
            name="cutover-router",
            daemon=True,
        )
        self._process.start()
        theirs.close()
        self._connection = ours
        if not ours.poll(START_TIMEOUT_SECONDS):
            self.stop()
            raise RuntimeError(f"the router process did not start within {START_TIMEOUT_SECONDS:.0f} s")
        self._url = ours.recv()
        self._stopping.clear()
        self._feeder = threading.Thread(target=self._feed, args=(table,), name="router-feed", daemon=True)
        self._feeder.start()
        return self

    def _feed(self, sent: RoutingTable) -> None:
        """Send the table when it changes; take the child's reports."""
        assert self._connection is not None
        connection = self._connection
        while not self._stopping.is_set():
            try:
                while connection.poll(FEED_SECONDS):
                    self._take(connection.recv())
                table = self.control.routing_table()
                if table != sent:
                    connection.send(table)
                    sent = table
            except (EOFError, OSError):
                return  # the child is gone: stop() says so if it was not asked to

    def _take(self, report: Report) -> None:
        if self._alb_metrics is not None and report.answered:
            now, real_now, scale = clock.now(), time.monotonic(), time_compression.recorder.scale
            for answered in report.answered:
                self._alb_metrics.record(
                    answered.target_group_arn,
                    answered.status,
                    answered.response_seconds,
                    at=now - (real_now - answered.real_at) / scale,
                )
        self._last = report

    def stop(self, timeout_seconds: float = 5.0) -> None:
        self._stopping.set()
        if self._feeder is not None:
            self._feeder.join(timeout_seconds)
        self._feeder = None
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.send("stop")
        if self._process is not None:
            self._process.join(timeout_seconds)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(timeout_seconds)
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection, self._url = None, None, None
        self.control.stop(timeout_seconds)

    def __enter__(self) -> RouterProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the router is not started")
        return self._url

    @property
    def config(self) -> ListenerConfig:
        return self.control.config

    def node_configs(self) -> list[ListenerConfig]:
        return self.control.node_configs()

    def refresh(self) -> ListenerConfig:
        return self.control.refresh()

    def set_upstreams(self, target_group_arn: str, upstreams: list[str]) -> None:
        self.control.set_upstreams(target_group_arn, upstreams)

    def stats(self) -> RouterStats:
        """The child's counts as of its last report, with the parent's listener reads."""
        control = self.control.stats()
        last = self._last
        return RouterStats(
            last.routed,
            last.by_rule,
            last.by_status,
            control.refreshes,
            control.refresh_failures,
            control.last_refresh_error,
        )
