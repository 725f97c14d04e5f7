"""The zero-downtime suite: production load through every transition, on AWS's timing.

Each test gets a fresh local stack (moto, in-process), the example service's real processes
as its ECS tasks, and the router as the ALB's data plane (cutover/local/data_plane.py):
listener changes reach the router's nodes over `AwsTiming.listener_propagation_seconds`
(30 s), tasks start, turn healthy after a health check, drain for their target group's
deregistration delay and only then get SIGTERM. A load generator sends production MCP calls
through the router all along. A request the platform failed (no answer within the client
timeout, a refused or dropped connection, a routing 5xx: see load_generator) is a lost request;
every transition must lose none.

Time runs at the demo's compression (1 AWS second = 10 ms), so short bakes keep each
transition to seconds. These tests start processes and load both cores: they are marked
`load` and run serially (`make test-load` runs them alone)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from cutover.local import runtime, time_compression
from cutover.local.data_plane import DataPlane, start_data_plane
from cutover.local.demo import version_of
from cutover.local.load_generator import LoadGenerator, Snapshot
from cutover.local.repositories import LOCAL_ECR_REPOSITORIES
from cutover.local.runtime import Execution, LocalCutover
from cutover.local.service_processes import ServiceFleet
from tests.listener_faults import break_modify_listener
from tests.synth import synth_assembly
from tests.workflow import hook_functions
from tests.workflow.conftest import MOTO_CONFIG, REGION, STACK
from tests.zero_downtime.gc_pauses import GcPauses

SCALE = 0.01  # the demo's compression: AWS's 30 s of propagation are 0.3 s
RATE_PER_SECOND = 100  # production MCP calls per second through the router
CLIENT_TIMEOUT_SECONDS = 5.0  # a request unanswered this long is lost
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop"
BAD_RELEASES = {"v-broken": 1.0}  # answers 500 to every MCP call (its smoke test fails)
ACCOUNT_REGION = "eu-west-1:123456789012"
HOOK = f"arn:aws:lambda:{ACCOUNT_REGION}:function:cutover-hook-migrations"
HOOKS = {"before_traffic": [HOOK], "timeout_seconds": 2}


@dataclass
class Stage:
    """A local stack under production load."""

    local: LocalCutover
    plane: DataPlane
    load: LoadGenerator
    gc_pauses: GcPauses

    def run(self, document: dict[str, Any], name: str, timeout_seconds: float = 120.0) -> tuple[Execution, Snapshot]:
        """Run one execution to its end; the load's counts during it."""
        mark = self.load.snapshot()
        execution = self.local.run(document, name, timeout_seconds=timeout_seconds)
        return execution, self.load.snapshot().since(mark)


@pytest.fixture
def listener_breaks(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """While `broken`, ModifyListener is denied (tests/listener_faults.py)."""
    return break_modify_listener(monkeypatch)


@pytest.fixture
def stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Stage]:
    yield from _stage(monkeypatch, tmp_path)


@pytest.fixture
def control_stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Stage]:
    """A stack whose rollback does not wait for the listener change to propagate."""
    yield from _stage(monkeypatch, tmp_path, strategy_defaults={"alb_propagation_seconds": 0})


def _stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **context: Any) -> Iterator[Stage]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    previous = time_compression.recorder.scale
    runtime.install(time_scale=SCALE)
    assembly = synth_assembly(
        local=True, image="asset", ecr_repositories=list(LOCAL_ECR_REPOSITORIES), hooks=HOOKS, **context
    )
    try:
        with mock_aws(config=MOTO_CONFIG), ServiceFleet(log_dir=tmp_path) as fleet, GcPauses() as pauses:
            local = LocalCutover(assembly, STACK, REGION)
            local.create()
            hook_functions.create_hook_functions(local, (HOOK,))
            plane = start_data_plane(local, fleet, version_of, BAD_RELEASES)
            local.point_smoke_tests_at(plane.router.url)
            load = LoadGenerator.mcp(
                plane.router.url, rate_per_second=RATE_PER_SECOND, timeout_seconds=CLIENT_TIMEOUT_SECONDS
            ).start()
            try:
                yield Stage(local, plane, load, pauses)
            finally:
                load.stop()
                plane.stop()
    finally:
        time_compression.recorder.scale = previous
