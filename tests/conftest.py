"""Tiers by directory, applied here so no test can miss its marker (see docs/architecture.md).

`serial` tests measure timing or load both cores: `make test` runs them in a pytest of their own at
normal priority, with everything else (the checks, the unit tier, the parallel pytest-xdist part)
beside them at nice 19 (the Makefile says why that cannot starve them).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.synth import SYNTH_CACHE_ENV

TESTS = Path(__file__).resolve().parent

TIER_OF_DIRECTORY = {
    "unit": "unit",
    "infra": "infra",
    "workflow": "workflow",
    "reliability": "workflow",
    "cli": "workflow",
    "local": "local",
    "service": "local",
    "bench": "local",
    "packaging": "local",
    "zero_downtime": "load",
}
SERIAL_DIRECTORIES = {"zero_downtime"}
# test_shutdown.py: 250 requests/s from a second process for 1.5 s before SIGTERM; next to three
# parallel workers its load generator started too late to send the 150 it needs (a clean-clone
# run, 2026-12-06: 125).
# test_bench_timing_smoke.py: the bench figures that time what they measure (bench.run.TIMED_FIGURES).
SERIAL_FILES = {
    "test_aws_timing.py",
    "test_router_timing.py",
    "test_sandbox.py",
    "test_shutdown.py",
    "test_bench_timing_smoke.py",
}


def pytest_configure(config: pytest.Config) -> None:
    # One synth cache per session, shared by the xdist workers (they inherit the environment
    # of the controller, which configures before it starts them).
    if not hasattr(config, "workerinput") and SYNTH_CACHE_ENV not in os.environ:
        os.environ[SYNTH_CACHE_ENV] = tempfile.mkdtemp(prefix="cutover-synth-")


# The parallel part's longest modules, longest first (clean-clone runs, 2026-12-06, on 4 workers:
# 50-150 s each): xdist's loadfile scheduling hands modules out in collection order, so these start
# first instead of one of them starting last and running alone at the end.
RUN_FIRST = (
    "bench/test_bench_smoke.py",
    "local/test_demo.py",
    "workflow/test_long_deployments.py",
    "workflow/test_step_and_rollback_hooks.py",
    "packaging/test_wheel.py",
    "local/test_readme_commands.py",
    "reliability/test_bad_input.py",
    "infra/test_synth_offline.py",
)


def _run_order(item: pytest.Item) -> int:
    relative = Path(str(item.path)).resolve().relative_to(TESTS).as_posix()
    return RUN_FIRST.index(relative) if relative in RUN_FIRST else len(RUN_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_run_order)  # stable: each module's tests keep their order
    for item in items:
        relative = Path(str(item.path)).resolve().relative_to(TESTS)
        directory = relative.parts[0]
        tier = TIER_OF_DIRECTORY.get(directory)
        if tier is None:
            raise pytest.UsageError(f"{relative}: no tier for tests/{directory}/ (tests/conftest.py)")
        item.add_marker(getattr(pytest.mark, tier))
        if directory in SERIAL_DIRECTORIES or relative.name in SERIAL_FILES:
            item.add_marker(pytest.mark.serial)
