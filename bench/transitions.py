"""Figure 8: production requests served and failed through every kind of transition.

One local stack under production load (cutover/local/loaded_stack.py: the example service's
processes as tasks, the router as the ALB's data plane with AWS's propagation lag and task
timing, a load generator in its own process sending MCP calls at RATE_PER_SECOND). Every
transition of the zero-downtime suite runs one after the other on it, as an operator would run
them, through the suite's own drivers (cutover/local/transition_drivers.py); each is counted
from its StartExecution to the end of its execution. A second stack whose rollback does not wait for
the listener change to propagate (`alb_propagation_seconds` 0) runs the same abort: the control,
which shows what the wait buys.

`python -m bench.transitions [--quick]` prints this figure alone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import REGION, STACK, local_assemblies, local_environment
from cutover.local import aws_timing
from cutover.local.aws_timing import AwsTiming
from cutover.local.loaded_stack import CLIENT_TIMEOUT_SECONDS, CONTROL_TIMING, Transition, loaded_stack
from cutover.local.runtime import AWS_TIMING, LocalCutover
from cutover.local.transition_drivers import (
    BAD_RELEASES,
    CANARY_WEIGHT,
    HOOKS,
    REGISTRY,
    Drivers,
    ReleaseHook,
    install_release_hook,
)
from cutover.shifter.contract import StateMachineError
from cutover.shifter.logic.errors import DeploymentRolledBack

RATE_PER_SECOND = 100
TIME_SCALE = 0.01  # the demo's compression: AWS's 30 s of propagation are 0.3 s
VARIANT: dict[str, Any] = {"image": "asset", "hooks": HOOKS}
CONTROL_VARIANT: dict[str, Any] = {"image": "asset", "strategy_defaults": {"alb_propagation_seconds": 0}}


@dataclass(frozen=True)
class Row:
    name: str
    expected: str  # the outcome the transition should have
    outcome: str  # what it had: SUCCEEDED, or the error name
    seconds: float
    served: int  # requests finished, answered or not
    platform_failures: int
    release_errors: int
    versions: str  # the releases that answered, e.g. "v1 62% · v2 38%"

    @property
    def as_expected(self) -> bool:
        return self.outcome == self.expected

    @property
    def rate(self) -> float:
        return self.served / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class TransitionsResult:
    rows: tuple[Row, ...]
    control: Row | None  # None in a quick run
    rate_per_second: int
    propagation_seconds: float  # AWS seconds: the lag of the last ALB node
    propagation_nodes: int
    task_start_seconds: float
    time_scale: float
    client_timeout_seconds: float
    elapsed_seconds: float


Step = Callable[[Drivers], Transition]


def _row(name: str, expected: str, transition: Transition) -> Row:
    window, execution = transition.window, transition.execution
    shares = " · ".join(f"{version} {share:.0%}" for version, share in window.shares().items())
    return Row(
        name=name,
        expected=expected,
        outcome=execution.status if execution.status == "SUCCEEDED" else str(execution.error),
        seconds=transition.seconds,
        served=window.total,
        platform_failures=window.platform_failures,
        release_errors=window.release_errors,
        versions=shares or "no answers",
    )


def _image(version: str) -> str:
    return f"{REGISTRY}:{version}"


ROLLED_BACK = DeploymentRolledBack.__name__
BAD_CANARY = f"bad release's canary ({CANARY_WEIGHT} %), alarm rollback"


def _sequence(quick: bool) -> list[tuple[str, str, Step]]:
    """(name, expected outcome, how) in the order they run; each starts where the last ended: every
    transition of tests/zero_downtime, with the same drivers (cutover/local/transition_drivers.py)."""
    deployments: list[tuple[str, str, Step]] = [
        ("canary deployment", "SUCCEEDED", lambda d: d.deploy(_image("v2"), name="canary")),
        ("abort mid-bake", ROLLED_BACK, lambda d: d.abort_mid_bake(_image("v3"))),
    ]
    if quick:
        return deployments
    linear = {"strategy": "linear", "linear_step": 25}
    return [
        *deployments,
        ("linear deployment (25 %)", "SUCCEEDED", lambda d: d.deploy(_image("v3"), linear, "linear")),
        ("explicit steps, pause and promote", "SUCCEEDED", lambda d: d.pause_and_promote(_image("v4"))),
        ("alarm rollback (event)", ROLLED_BACK, lambda d: d.alarm_rollback(_image("v5"), "event")),
        ("alarm rollback (poll)", ROLLED_BACK, lambda d: d.alarm_rollback(_image("v5"), "poll")),
        (BAD_CANARY, ROLLED_BACK, lambda d: d.bad_canary()),
        ("failed smoke test", ROLLED_BACK, lambda d: d.failed_smoke_test()),
        ("failed hook (before traffic)", ROLLED_BACK, lambda d: d.failed_hook(_image("v5"))),
        ("abort in the final wait", ROLLED_BACK, lambda d: d.abort_in_final_wait(_image("v5"))),
        (
            "all-at-once deployment",
            "SUCCEEDED",
            lambda d: d.deploy(_image("v5"), {"strategy": "all-at-once"}, "all-at-once"),
        ),
        ("rollback to the cold side", "SUCCEEDED", lambda d: d.rollback()),
        ("switch to the warm side", "SUCCEEDED", lambda d: d.switch()),
        ("forced switch", "SUCCEEDED", lambda d: d.switch(force=True)),
        (
            "abort, rollback's ModifyListener denied",
            StateMachineError.ROLLBACK_INCOMPLETE,
            lambda d: d.incomplete_rollback(_image("v6")),
        ),
        ("repair", "SUCCEEDED", lambda d: d.repair()),
    ]


@contextmanager
def _stack(assembly: Path, timing: AwsTiming = AWS_TIMING, *, hook: bool = False) -> Iterator[Drivers]:
    hooks: list[ReleaseHook] = []

    def install_hook(local: LocalCutover) -> None:
        hooks.append(install_release_hook(local))

    with (
        local_environment(),
        tempfile.TemporaryDirectory(prefix="cutover-bench-logs-") as logs,
        loaded_stack(
            assembly,
            STACK,
            REGION,
            log_dir=Path(logs),
            time_scale=TIME_SCALE,
            rate_per_second=RATE_PER_SECOND,
            error_rates=BAD_RELEASES,
            after_create=install_hook if hook else None,
            timing=timing,
        ) as stack,
    ):
        yield Drivers(stack, hooks[0] if hooks else None)


def measure_transitions(quick: bool = False, echo: Callable[[str], None] = lambda _: None) -> TransitionsResult:
    started = time.perf_counter()
    assemblies = local_assemblies(VARIANT) if quick else local_assemblies(VARIANT, CONTROL_VARIANT)
    rows: list[Row] = []
    with _stack(assemblies[0], hook=True) as drivers:
        for name, expected, step in _sequence(quick):
            rows.append(row := _row(name, expected, step(drivers)))
            echo(f"  {row.name}: {row.outcome}, {row.served} served, {row.platform_failures} failed")
    control = None
    if not quick:
        with _stack(assemblies[1], CONTROL_TIMING) as drivers:
            control = _row("control: abort mid-bake, no propagation wait", ROLLED_BACK, _control(drivers))
        echo(f"  {control.name}: {control.outcome}, {control.served} served, {control.platform_failures} failed")
    timing = aws_timing.AwsTiming()
    return TransitionsResult(
        rows=tuple(rows),
        control=control,
        rate_per_second=RATE_PER_SECOND,
        propagation_seconds=timing.listener_propagation_seconds,
        propagation_nodes=timing.propagation_nodes,
        task_start_seconds=timing.task_start_seconds,
        time_scale=TIME_SCALE,
        client_timeout_seconds=CLIENT_TIMEOUT_SECONDS,
        elapsed_seconds=time.perf_counter() - started,
    )


def _control(drivers: Drivers) -> Transition:
    return drivers.abort_mid_bake(_image("v2"), "control")


def main(argv: list[str] | None = None) -> int:
    from bench.transitions_report import render_transitions

    parser = argparse.ArgumentParser(prog="python -m bench.transitions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="two transitions, no control")
    options = parser.parse_args(argv)
    warnings.filterwarnings("ignore")  # moto's notes on resource types it skips; the figure is the output
    result = measure_transitions(options.quick, echo=print)
    print("\n".join(render_transitions(result)))
    return 0 if all(row.as_expected and row.platform_failures == 0 for row in result.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
