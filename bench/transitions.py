"""Figure 8: production requests served and failed through every kind of transition.

One local stack under production load (cutover/local/loaded_stack.py: the example service's
processes as tasks, the router as the ALB's data plane with AWS's propagation lag and task
timing, a load generator in its own process sending MCP calls at RATE_PER_SECOND). The
transitions run one after the other on it, as an operator would run them; each is counted from
its StartExecution to the end of its execution. A second stack whose rollback does not wait for
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
from cutover.local.loaded_stack import (
    CLIENT_TIMEOUT_SECONDS,
    CONTROL_TIMING,
    MCP_SMOKE_TEST,
    LoadedStack,
    Transition,
    loaded_stack,
)
from cutover.local.runtime import AWS_TIMING
from shifter.logic.errors import DeploymentRolledBack

RATE_PER_SECOND = 100
TIME_SCALE = 0.01  # the demo's compression: AWS's 30 s of propagation are 0.3 s
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop"
BAD_RELEASES = {"v-broken": 1.0}  # answers 500 to every MCP call: its smoke test fails
SHORT = {"bake_seconds": 120, "termination_wait_seconds": 120}  # AWS seconds
HALF_THEN_ALL = {"steps": [{"weight": 50, "bake_seconds": 600}, {"weight": 100}]}
ALARM = "cutover-demo-{side}-5xx"
ROLLED_BACK = DeploymentRolledBack.__name__  # the error a rollback ends its execution with
VARIANT: dict[str, Any] = {"image": "asset"}
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


Step = Callable[[LoadedStack], Transition]


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


def _idle_side(stack: LoadedStack) -> str:
    """The side without traffic (the one a deployment brings up)."""
    weights = stack.local.weights()
    return min(weights, key=lambda side: weights[side])


def _in_bake(index: int) -> Callable[[dict[str, Any]], bool]:
    return lambda lock: lock.get("task_key") == f"step:{index}"


def _alarm_rollback(stack: LoadedStack, image: str) -> Transition:
    alarm = ALARM.format(side=_idle_side(stack))

    def fire() -> None:
        stack.local.set_alarm(alarm, "ALARM", reason="12 target 5xx in 1 minute")
        stack.local.deliver_alarm_event(alarm)

    try:
        return stack.run_acting({"image": image, "strategy": HALF_THEN_ALL}, "alarm", _in_bake(0), fire)
    finally:
        stack.local.set_alarm(alarm, "OK")


def _abort_mid_bake(stack: LoadedStack, image: str, name: str) -> Transition:
    def abort() -> None:
        stack.local.run({"action": "abort"}, f"{name}-abort")

    return stack.run_acting({"image": image, "strategy": HALF_THEN_ALL}, name, _in_bake(0), abort)


def _sequence(quick: bool) -> list[tuple[str, str, Step]]:
    """(name, expected outcome, how) in the order they run; each starts where the last ended."""
    deployments: list[tuple[str, str, Step]] = [
        ("canary deployment", "SUCCEEDED", lambda s: s.run({"image": f"{REGISTRY}:v2", **SHORT}, "canary")),
        (
            "abort mid-bake",
            ROLLED_BACK,
            lambda s: _abort_mid_bake(s, f"{REGISTRY}:v3", "abort"),
        ),
    ]
    if quick:
        return deployments
    return [
        *deployments,
        (
            "linear deployment (25 %)",
            "SUCCEEDED",
            lambda s: s.run({"image": f"{REGISTRY}:v3", "strategy": "linear", "linear_step": 25, **SHORT}, "linear"),
        ),
        (
            "all-at-once deployment",
            "SUCCEEDED",
            lambda s: s.run({"image": f"{REGISTRY}:v4", "strategy": "all-at-once", **SHORT}, "all-at-once"),
        ),
        ("alarm rollback (event)", ROLLED_BACK, lambda s: _alarm_rollback(s, f"{REGISTRY}:v5")),
        (
            "failed smoke test",
            ROLLED_BACK,
            lambda s: s.run({"image": f"{REGISTRY}:v-broken", "smoke_tests": [MCP_SMOKE_TEST], **SHORT}, "smoke-fails"),
        ),
        ("rollback to the cold side", "SUCCEEDED", lambda s: s.run({"action": "rollback"}, "rollback")),
        ("switch to the warm side", "SUCCEEDED", _switch_to_idle),
    ]


def _switch_to_idle(stack: LoadedStack) -> Transition:
    return stack.run({"action": "switch", "to": _idle_side(stack)}, "switch")


@contextmanager
def _stack(assembly: Path, timing: AwsTiming = AWS_TIMING) -> Iterator[LoadedStack]:
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
            timing=timing,
        ) as stack,
    ):
        yield stack


def measure_transitions(quick: bool = False, echo: Callable[[str], None] = lambda _: None) -> TransitionsResult:
    started = time.perf_counter()
    assemblies = local_assemblies(VARIANT) if quick else local_assemblies(VARIANT, CONTROL_VARIANT)
    rows: list[Row] = []
    with _stack(assemblies[0]) as stack:
        for name, expected, step in _sequence(quick):
            rows.append(row := _row(name, expected, step(stack)))
            echo(f"  {row.name}: {row.outcome}, {row.served} served, {row.platform_failures} failed")
    control = None
    if not quick:
        with _stack(assemblies[1], CONTROL_TIMING) as stack:
            control = _row("control: abort mid-bake, no propagation wait", ROLLED_BACK, _control(stack))
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


def _control(stack: LoadedStack) -> Transition:
    return _abort_mid_bake(stack, f"{REGISTRY}:v2", "control")


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
