"""A local stack under production load: what the zero-downtime suite and `make bench` drive.

The synthesized stack is created in a fresh in-process moto; the example service's real
processes are its ECS tasks and the router is the ALB's data plane (data_plane.py): listener
changes reach the router's nodes over `AwsTiming.listener_propagation_seconds`, tasks start,
turn healthy after a health check and drain for the deregistration delay before SIGTERM. A
load generator (its own process) sends production MCP calls through the router all along.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto import mock_aws
from moto.core.config import DefaultConfig

from cutover.local import aws_timing, listener_changes, runtime, time_compression
from cutover.local.aws_timing import AwsTiming
from cutover.local.data_plane import DataPlane, start_data_plane
from cutover.local.gc_pauses import frozen_heap
from cutover.local.load_generator import LoadGenerator, Snapshot
from cutover.local.runtime import Execution, LocalCutover
from cutover.local.service_processes import ServiceFleet

# moto runs the state machine itself, and Lambdas in-process (no Docker here).
MOTO_CONFIG: DefaultConfig = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
CLIENT_TIMEOUT_SECONDS = 5.0  # a request unanswered this long is lost
# Requests in flight at once. When the router shared the harness's process with moto and the
# Lambdas, an answer took up to ~0.6 s while a step ran (a clean-clone `make test`, 2026-12-03:
# 40/s of the 100 asked for with 16 in flight); in its own process (router_process.py) answers
# are fast, and 64 in flight keep the asked rate through any pause the service itself takes.
CONCURRENCY = 64
# A stale node's request to a side without routable targets is answered 503 by the router at once;
# this is the bound for that answer to reach the load's counts (real seconds, loopback).
ANSWERED_WITHIN_SECONDS = 0.2
# The control (a rollback that does not wait for propagation) must lose requests, and it loses
# them only while a node still routes to the side the rollback scaled down. The Lambda's own
# time between the rollback's ModifyListener and its scale-down is real, not compressed: up to
# ~0.3 s on a busy machine, as long as AWS's whole 30 s lag at 0.01 (a clean-clone `make test`,
# 2026-12-03, lost 0 of 452). 90 s of lag (0.9 s here) keeps the window open past it.
CONTROL_TIMING = AwsTiming(listener_propagation_seconds=90.0)


def version_of(image: str) -> str:
    """The release an image plays: its `v<N>` tag; the stack's initial image plays v1."""
    tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else ""
    return tag if tag.startswith("v") else "v1"


@dataclass
class LoadedStack:
    local: LocalCutover
    plane: DataPlane
    load: LoadGenerator

    def run(self, document: dict[str, Any], name: str, timeout_seconds: float = 120.0) -> Transition:
        """Run one execution to its end, with the load's counts while it ran."""
        mark, started = self.load.snapshot(), time.monotonic()
        execution = self.local.run(document, name, timeout_seconds=timeout_seconds)
        self.settle()
        return Transition(execution, self.load.snapshot().since(mark), time.monotonic() - started)

    def run_acting(
        self,
        document: dict[str, Any],
        name: str,
        when: Callable[[dict[str, Any]], bool],
        then: Callable[[], object],
        timeout_seconds: float = 120.0,
    ) -> Transition:
        """Start an execution, act once its lock item satisfies `when`, run it to its end."""
        mark, started = self.load.snapshot(), time.monotonic()
        arn = self.local.start(document, name)
        deadline = time.monotonic() + 60
        while not ((lock := self.local.lock()) is not None and when(lock)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}: the deployment never reached the moment to act")
            time.sleep(0.02)
        then()
        execution = self.local.wait(arn, timeout_seconds=timeout_seconds)
        self.settle()
        return Transition(execution, self.load.snapshot().since(mark), time.monotonic() - started)

    def settle(self) -> None:
        """Until every router node routes by the last listener change, and the answers to what it
        routed are in. A transition is not over when its execution ends: a step that scaled a side
        down while nodes still route to it loses requests after the end (the control's, measured
        2026-12-06: its execution ended before the stale nodes' 503s in 4 of 6 runs, which then
        counted in no transition)."""
        timing, last = aws_timing.current(), listener_changes.last_change_at()
        if timing is None or last is None:
            return
        applied_at = last + timing.listener_propagation_seconds
        time.sleep(aws_timing.clock.real_seconds(applied_at - aws_timing.clock.now()) + ANSWERED_WITHIN_SECONDS)


@dataclass(frozen=True)
class Transition:
    execution: Execution
    window: Snapshot  # the load's counts while the execution ran
    seconds: float


@contextmanager
def loaded_stack(
    assembly: Path,
    stack_name: str,
    region: str,
    *,
    log_dir: Path,
    time_scale: float,
    rate_per_second: float,
    error_rates: Mapping[str, float] | None = None,
    after_create: Callable[[LocalCutover], None] | None = None,
    timing: AwsTiming = runtime.AWS_TIMING,
) -> Iterator[LoadedStack]:
    """The stack created and loaded; everything started is stopped on exit. The caller sets
    fake credentials and the region in the environment (moto needs them, boto3 reads them)."""
    previous = time_compression.recorder.scale
    runtime.install(time_scale=time_scale, timing=timing)
    try:
        with mock_aws(config=MOTO_CONFIG), ServiceFleet(log_dir=log_dir) as fleet:
            local = LocalCutover(assembly, stack_name, region)
            local.create()
            if after_create is not None:
                after_create(local)
            plane = start_data_plane(local, fleet, version_of, error_rates)
            local.point_smoke_tests_at(plane.router.url)
            load = LoadGenerator.mcp(
                plane.router.url,
                rate_per_second=rate_per_second,
                timeout_seconds=CLIENT_TIMEOUT_SECONDS,
                concurrency=CONCURRENCY,
            ).start()
            try:
                with frozen_heap():
                    yield LoadedStack(local, plane, load)
            finally:
                load.stop()
                plane.stop()
    finally:
        time_compression.recorder.scale = previous
