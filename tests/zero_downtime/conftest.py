"""The zero-downtime suite: production load through every transition, on AWS's timing.

Each test gets a fresh local stack under production load (cutover/local/loaded_stack.py):
listener changes reach the router's nodes over `AwsTiming.listener_propagation_seconds`
(30 s), tasks start, turn healthy after a health check, drain for their target group's
deregistration delay and only then get SIGTERM. A request the platform failed (no answer within
the client timeout, 5 s, a refused or dropped connection, a routing 5xx: see
load_counts) is a lost request; every transition must lose none.

Time runs at the demo's compression (1 AWS second = 10 ms), so short bakes keep each
transition to seconds. These tests start processes and load both cores: they are marked
`load` and run serially (`make test-load` runs them alone)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cutover.local.aws_timing import AwsTiming
from cutover.local.loaded_stack import CONTROL_TIMING, LoadedStack, loaded_stack
from cutover.local.repositories import LOCAL_ECR_REPOSITORIES
from cutover.local.runtime import AWS_TIMING, LocalCutover
from cutover.local.transition_drivers import BAD_RELEASES, HOOKS, Drivers, ReleaseHook, install_release_hook
from tests.synth import synth_assembly
from tests.workflow.conftest import REGION, STACK
from tests.zero_downtime.gc_pauses import GcPauses

SCALE = 0.01  # the demo's compression: AWS's 30 s of propagation are 0.3 s
RATE_PER_SECOND = 100  # production MCP calls per second through the router


@dataclass
class Stage(LoadedStack):
    """A local stack under production load, how long the garbage collector stopped this process,
    and the transitions' drivers (cutover/local/transition_drivers.py, which bench figure 8 runs too)."""

    gc_pauses: GcPauses
    hook: ReleaseHook | None
    drive: Drivers = field(init=False)

    def __post_init__(self) -> None:
        self.drive = Drivers(self, self.hook)


@pytest.fixture
def stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Stage]:
    yield from _stage(monkeypatch, tmp_path)


@pytest.fixture
def control_stage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Stage]:
    """A stack whose rollback does not wait for the listener change to propagate."""
    yield from _stage(monkeypatch, tmp_path, CONTROL_TIMING, strategy_defaults={"alb_propagation_seconds": 0})


def _stage(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, timing: AwsTiming = AWS_TIMING, **context: Any
) -> Iterator[Stage]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    assembly = synth_assembly(
        local=True, image="asset", ecr_repositories=list(LOCAL_ECR_REPOSITORIES), hooks=HOOKS, **context
    )
    hooks: list[ReleaseHook] = []

    def install_hook(local: LocalCutover) -> None:
        hooks.append(install_release_hook(local))

    with (
        GcPauses() as pauses,
        loaded_stack(
            assembly,
            STACK,
            REGION,
            log_dir=tmp_path,
            time_scale=SCALE,
            rate_per_second=RATE_PER_SECOND,
            error_rates=BAD_RELEASES,
            after_create=install_hook,
            timing=timing,
        ) as loaded,
    ):
        yield Stage(loaded.local, loaded.plane, loaded.load, pauses, hooks[0] if hooks else None)
