"""Figures 2 and 3: what one deployment costs, and the AWS API calls it makes.

One local stack synthesized with `strategy_defaults` poll_interval_seconds 60, bake_seconds
300 and termination_wait_seconds 900 (the stack's defaults, written out). Each strategy
deploys to success: all-at-once, canary (10 → 100), linear (linear_step 20: 5 steps).
Time is compressed (time_scale 0.001): only counts matter here, and they do not depend
on it (ECS and target health are emulated, so every stability and health check passes at
its first poll).

Per deployment:
- state transitions: `*StateEntered` events in the execution's history (what Standard bills);
- Lambda invocations: cutover.local.runtime.lambda_runtime.invocations, and the wall time
  of each (bench.harness.InvocationTimer), billed at 512 MB rounded up to the millisecond;
- AWS API calls of our handlers by operation (bench.harness.ApiCalls);
- execution log volume: the history's JSON size, a stand-in for what the state machine's
  log group (level ALL, with execution data) ingests.

One unmeasured warm-up deployment comes first, so the measured runs are warm.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import prices
from bench.harness import (
    REPOSITORY,
    ApiCalls,
    InvocationTimer,
    history_events,
    local_assemblies,
    local_cutover,
    state_transitions,
)

POLL_INTERVAL_SECONDS = 60
BAKE_SECONDS = 300
TERMINATION_WAIT_SECONDS = 900
TIME_SCALE = 0.001
STACK_DEFAULTS = {
    "strategy_defaults": {
        "poll_interval_seconds": POLL_INTERVAL_SECONDS,
        "bake_seconds": BAKE_SECONDS,
        "termination_wait_seconds": TERMINATION_WAIT_SECONDS,
    }
}
STRATEGIES: dict[str, dict[str, Any]] = {
    "all-at-once": {"strategy": "all-at-once"},
    "canary": {"strategy": "canary", "canary_weight": 10},
    "linear": {"strategy": "linear", "linear_step": 20},
}
# The calls figure 3 reports one by one (service name as botocore spells it).
LISTENER_AND_ALARM_CALLS = (
    "elbv2.ModifyListener",
    "elbv2.DescribeListeners",
    "elbv2.DescribeTargetHealth",
    "cloudwatch.DescribeAlarms",
)
# If each invocation ran this long on AWS (API round trips instead of in-process moto): an
# assumption for scale, not a measurement.
ASSUMED_AWS_INVOCATION_SECONDS = 1.0


@dataclass
class Deployment:
    """One execution of the state machine, measured."""

    label: str
    status: str
    shifts: int
    transitions: int
    invocations: int
    handler_seconds: list[float]
    api_calls: Counter[str]
    wait_seconds: float  # ASL time spent in Wait states (what the waits would take on AWS)
    history_bytes: int
    wall_seconds: float
    invocations_by_step: Counter[str] = field(default_factory=Counter)

    @property
    def handler_ms_total(self) -> float:
        return sum(self.handler_seconds) * 1000

    @property
    def billed_gb_seconds(self) -> float:
        return sum(math.ceil(seconds * 1000) for seconds in self.handler_seconds) / 1000 * prices.LAMBDA_MEMORY_GB

    @property
    def usd_step_functions(self) -> float:
        return self.transitions * prices.STEP_FUNCTIONS_PER_TRANSITION

    @property
    def usd_lambda(self) -> float:
        return self.invocations * prices.LAMBDA_PER_REQUEST + self.billed_gb_seconds * prices.LAMBDA_PER_GB_SECOND

    @property
    def usd_total(self) -> float:
        return self.usd_step_functions + self.usd_lambda

    def usd_lambda_if(self, seconds_each: float) -> float:
        gb_seconds = self.invocations * seconds_each * prices.LAMBDA_MEMORY_GB
        return self.invocations * prices.LAMBDA_PER_REQUEST + gb_seconds * prices.LAMBDA_PER_GB_SECOND

    @property
    def usd_logs(self) -> float:
        return self.history_bytes / 1e9 * prices.LOGS_INGESTION_PER_GB

    def calls(self, operation: str) -> int:
        return self.api_calls.get(operation, 0)

    def calls_of_service(self, service: str) -> int:
        return sum(count for key, count in self.api_calls.items() if key.split(".", 1)[0] == service)


@dataclass
class CostResult:
    runs: int
    deployments: dict[str, list[Deployment]] = field(default_factory=dict)

    def typical(self, strategy: str) -> Deployment:
        """The run with the median handler time (counts are the same in every run)."""
        runs = sorted(self.deployments[strategy], key=lambda d: d.handler_ms_total)
        return runs[(len(runs) - 1) // 2]

    def counts_stable(self, strategy: str) -> bool:
        runs = self.deployments[strategy]
        return all(
            (d.transitions, d.invocations, d.api_calls) == (runs[0].transitions, runs[0].invocations, runs[0].api_calls)
            for d in runs
        )

    def median_handler_ms(self, strategy: str) -> float:
        return statistics.median(d.handler_ms_total for d in self.deployments[strategy])


class Instruments:
    """The timers and counters, cleared before each execution."""

    def __init__(self, timer: InvocationTimer, calls: ApiCalls) -> None:
        self.timer, self.calls = timer, calls

    def run(self, local: Any, execution_input: dict[str, Any], name: str, label: str) -> Deployment:
        from cutover.local import runtime, time_compression

        self.timer.clear()
        self.calls.snapshot_and_clear()
        runtime.lambda_runtime.invocations.clear()
        time_compression.recorder.waits.clear()
        started = time.perf_counter()
        execution = local.run(execution_input, name, timeout_seconds=300)
        wall = time.perf_counter() - started
        events = history_events(local, execution.arn)
        invocations = list(runtime.lambda_runtime.invocations)
        timed = list(self.timer.calls)
        record = next((r for r in local.deployments() if r.execution.endswith(f":{name}")), None)
        shifts = sum(1 for e in (record.timeline if record else ()) if e.event == "weights shifted")
        return Deployment(
            label=label,
            status=execution.status,
            shifts=shifts,
            transitions=state_transitions(events),
            invocations=len(invocations),
            handler_seconds=[call.seconds for call in timed],
            api_calls=self.calls.snapshot_and_clear(),
            wait_seconds=sum(time_compression.recorder.waits),
            history_bytes=len(json.dumps(events, default=str).encode()),
            wall_seconds=wall,
            invocations_by_step=Counter(call.step or call.function for call in timed),
        )


@dataclass(frozen=True)
class Session:
    """A local stack with the instruments installed, warmed up; figures 2, 3 and 6 share one."""

    local: Any
    instruments: Instruments


@contextmanager
def deployment_session() -> Iterator[Session]:
    (assembly,) = local_assemblies(STACK_DEFAULTS)
    with (
        local_cutover(assembly, time_scale=TIME_SCALE) as local,
        InvocationTimer().installed() as timer,
        ApiCalls().installed() as calls,
    ):
        instruments = Instruments(timer, calls)
        # Warm-up (not measured): the handlers' modules imported and their clients made, so
        # every measured run is warm (figure 5 measures cold starts).
        warm_up = instruments.run(local, {"image": f"{REPOSITORY}:warm-up", "strategy": "all-at-once"}, "warm-up", "-")
        if warm_up.status != "SUCCEEDED":
            raise RuntimeError(f"the warm-up deployment ended {warm_up.status}")
        yield Session(local, instruments)


def measure_cost(runs: int, session: Session | None = None) -> CostResult:
    """`runs` deployments of each strategy (interleaved), each to success."""
    if session is None:
        with deployment_session() as own:
            return measure_cost(runs, own)
    result = CostResult(runs=runs, deployments={name: [] for name in STRATEGIES})
    for run in range(runs):
        for name, strategy in STRATEGIES.items():
            execution_input = {"image": f"{REPOSITORY}:{name}-{run}", "bake_seconds": BAKE_SECONDS, **strategy}
            deployment = session.instruments.run(session.local, execution_input, f"cost-{name}-{run}", name)
            if deployment.status != "SUCCEEDED":
                raise RuntimeError(f"{name} deployment {run} ended {deployment.status}")
            result.deployments[name].append(deployment)
    return result
