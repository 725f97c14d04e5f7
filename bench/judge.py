"""Figure 7: the judge (lambdas/shifter/logic/analysis) on simulated deployments.

Pure simulation, no AWS and no moto: per 60 s period and side, requests ~ Poisson(rate x 60),
5xx ~ Binomial(requests, error rate), and the period's p50 and p99 as CloudWatch would compute
them from that many lognormal response times (drawn as the order statistic itself: the k-th
smallest of n uniforms is Beta(k, n + 1 - k), so a period costs two draws, not n). Both sides
share a per-period load factor on latency (what makes the same-window baseline like-for-like),
and each side has a per-period factor of its own (its tasks, their neighbours); p50 and p99
are drawn independently of each other. Shifts fall on period boundaries (an unaligned shift
loses the period it falls in: one more period in every figure below).

A default canary (stacks/config.py StrategyDefaults: 10 %, bake 300 s, poll 60 s, termination
wait 900 s): 5 checks during the bake against the same window on the old side, then 15 during
the final wait at 100 % against the old side's window before the shift, each check judging
the three built-in metrics at the default JudgeConfig. Every check of every metric counts.
Seeded (numpy PCG64): every run prints the same figures.

`python -m bench.judge [--quick]` prints this figure alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from scipy.special import ndtri

from shifter.logic.analysis.judge import judge
from shifter.logic.analysis.models import (
    ERROR_RATE,
    LATENCY_P50,
    LATENCY_P99,
    PERIOD_SECONDS,
    BaselineKind,
    CheckSamples,
    JudgeConfig,
    Outcome,
    SideTraffic,
    SideValues,
    Window,
)
from shifter.logic.analysis.queries import AlbTargets, check_windows, metric_data_request

BAKE_CHECKS = 300 // 60  # bake_seconds / poll_interval_seconds
FINAL_CHECKS = 900 // 60  # termination_wait_seconds / poll_interval_seconds
LATENCY_MEDIAN_SECONDS = 0.050
LATENCY_SIGMA = 0.5  # lognormal: p99 = median x e^(2.326 x 0.5), 3.2 x the median
SHARED_LOAD_SIGMA = 0.03  # per-period latency factor common to both sides
SIDE_NOISE_SIGMA = 0.03  # per-period latency factor of one side alone (its tasks, their neighbours)
BASE_ERROR_RATE = 0.005
Z99 = float(ndtri(0.99))
MAX_DETECTION_PERIODS = 30
ERROR_GOAL_PERIODS = 2
P99_GOAL_PERIODS = 6
FALSE_POSITIVE_GOAL = 0.02
SEED = 16
EPOCH = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TARGETS = AlbTargets(
    load_balancer="app/bench/0123456789abcdef",
    target_groups={"blue": "targetgroup/bench-blue/0123456789abcdef", "green": "targetgroup/bench-green/fedcba98"},
)


@dataclass(frozen=True)
class SideModel:
    rps: float
    error_rate: float = BASE_ERROR_RATE
    sigma: float = LATENCY_SIGMA  # a p99 regression widens the tail; the median stays


@dataclass
class Periods:
    requests: list[int]
    errors: list[int]
    p50: list[float | None]  # None: no requests, no datapoint
    p99: list[float | None]


def simulate(rng: np.random.Generator, models: list[SideModel], shared: np.ndarray) -> Periods:
    """One side, period i drawn from models[i]."""
    requests = rng.poisson(np.array([m.rps for m in models]) * PERIOD_SECONDS)
    errors = rng.binomial(requests, np.array([m.error_rate for m in models]))
    sigma = np.array([m.sigma for m in models])
    safe = np.maximum(requests, 1)
    own = shared * np.exp(rng.normal(0, SIDE_NOISE_SIGMA, len(models)))
    columns: list[list[float | None]] = []
    for quantile in (0.5, 0.99):
        rank = np.ceil(quantile * safe)  # nearest rank, as a percentile of the period's requests
        value = LATENCY_MEDIAN_SECONDS * own * np.exp(sigma * ndtri(rng.beta(rank, safe + 1 - rank)))
        columns.append([float(v) if n > 0 else None for v, n in zip(value, requests, strict=True)])
    return Periods(requests=requests.tolist(), errors=errors.tolist(), p50=columns[0], p99=columns[1])


def _window(first: int, count: int) -> Window:
    start = EPOCH + timedelta(seconds=first * PERIOD_SECONDS)
    return Window(start=start, end=start + timedelta(seconds=count * PERIOD_SECONDS))


def _values(periods: Periods, metric: str, part: slice) -> tuple[float, ...]:
    column = periods.p50 if metric == LATENCY_P50 else periods.p99
    return tuple(v for v in column[part] if v is not None)


def check_samples(new: Periods, base: Periods, new_part: slice, base_part: slice, kind: BaselineKind) -> CheckSamples:
    return CheckSamples(
        baseline_kind=kind,
        new_window=_window(new_part.start, new_part.stop - new_part.start),
        baseline_window=_window(base_part.start, base_part.stop - base_part.start),
        new=SideTraffic(side="green", requests=tuple(new.requests[new_part]), errors=tuple(new.errors[new_part])),
        baseline=SideTraffic(
            side="blue", requests=tuple(base.requests[base_part]), errors=tuple(base.errors[base_part])
        ),
        values={
            metric: (
                SideValues(side="green", values=_values(new, metric, new_part)),
                SideValues(side="blue", values=_values(base, metric, base_part)),
            )
            for metric in (LATENCY_P50, LATENCY_P99)
        },
    )


# ---------------------------------------------------------------------------- deployments
@dataclass
class CanaryRuns:
    """Default canary deployments at one traffic level: every check's verdict per metric."""

    label: str
    new_rps: float
    old_rps: float
    deployments: int = 0
    failed_deployments: int = 0  # at least one fail in any check of any metric
    fails_by_metric: Counter[str] = field(default_factory=Counter)  # deployments
    metric_outcomes: Counter[Outcome] = field(default_factory=Counter)  # every check x metric
    end_of_bake: Counter[Outcome] = field(default_factory=Counter)  # the overall verdict at the bake's last check

    @property
    def false_positive_rate(self) -> float:
        return self.failed_deployments / self.deployments


def canary_deployment(
    rng: np.random.Generator, config: JudgeConfig, new_rps: float, old_rps: float
) -> list[list[Outcome]]:
    """An A/A default canary: per check (bake, then final wait), each metric's outcome.
    Index 0..FINAL_CHECKS-1 of the timeline is the old side's history before the deployment
    (at all the traffic), then the bake's periods, then the final wait's."""
    history, total = FINAL_CHECKS, FINAL_CHECKS + BAKE_CHECKS + FINAL_CHECKS
    shared = np.exp(rng.normal(0, SHARED_LOAD_SIGMA, total))
    old_models = [SideModel(new_rps + old_rps)] * history + [SideModel(old_rps)] * BAKE_CHECKS
    old_models += [SideModel(0)] * FINAL_CHECKS
    new_models = [SideModel(0)] * history + [SideModel(new_rps)] * BAKE_CHECKS
    new_models += [SideModel(new_rps + old_rps)] * FINAL_CHECKS
    old, new = simulate(rng, old_models, shared), simulate(rng, new_models, shared)
    checks: list[list[Outcome]] = []
    for k in range(1, BAKE_CHECKS + 1):
        part = slice(history, history + k)
        checks.append([m.outcome for m in judge(config, check_samples(new, old, part, part, "same-window")).metrics])
    shift = history + BAKE_CHECKS
    for k in range(1, FINAL_CHECKS + 1):
        samples = check_samples(new, old, slice(shift, shift + k), slice(shift - k, shift), "before-shift")
        checks.append([m.outcome for m in judge(config, samples).metrics])
    return checks


def run_canaries(
    label: str, new_rps: float, old_rps: float, deployments: int, seed: int, *, config: JudgeConfig | None = None
) -> CanaryRuns:
    rng = np.random.Generator(np.random.PCG64(seed))
    config = config or JudgeConfig()
    runs = CanaryRuns(label=label, new_rps=new_rps, old_rps=old_rps)
    metrics = [ERROR_RATE, LATENCY_P50, LATENCY_P99]
    for _ in range(deployments):
        checks = canary_deployment(rng, config, new_rps, old_rps)
        runs.deployments += 1
        failed = {metrics[i] for check in checks for i, outcome in enumerate(check) if outcome == "fail"}
        runs.failed_deployments += bool(failed)
        runs.fails_by_metric.update(failed)
        runs.metric_outcomes.update(outcome for check in checks for outcome in check)
        bake_end = checks[BAKE_CHECKS - 1]
        runs.end_of_bake[
            "fail" if "fail" in bake_end else "inconclusive" if "inconclusive" in bake_end else "pass"
        ] += 1
    return runs


# ---------------------------------------------------------------------------- detection
@dataclass
class Detection:
    label: str
    metric: str
    goal_periods: int
    periods: list[int | None] = field(default_factory=list)  # per trial: periods until the metric failed

    def detected_within(self, periods: int) -> float:
        return sum(1 for p in self.periods if p is not None and p <= periods) / len(self.periods)

    def median(self) -> float:
        return statistics.median(p if p is not None else MAX_DETECTION_PERIODS + 1 for p in self.periods)

    def percentile_95(self) -> int:
        ordered = sorted(p if p is not None else MAX_DETECTION_PERIODS + 1 for p in self.periods)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def detect(
    label: str,
    metric: str,
    goal: int,
    regressed: SideModel,
    trials: int,
    *,
    seed: int,
    config: JudgeConfig | None = None,
) -> Detection:
    """Same-window checks after every period, 50 requests/s per side, until `metric` fails."""
    rng = np.random.Generator(np.random.PCG64(seed))
    config = config or JudgeConfig()
    index = [ERROR_RATE, LATENCY_P50, LATENCY_P99].index(metric)
    result = Detection(label=label, metric=metric, goal_periods=goal)
    for _ in range(trials):
        shared = np.exp(rng.normal(0, SHARED_LOAD_SIGMA, MAX_DETECTION_PERIODS))
        old = simulate(rng, [SideModel(regressed.rps)] * MAX_DETECTION_PERIODS, shared)
        new = simulate(rng, [regressed] * MAX_DETECTION_PERIODS, shared)
        found: int | None = None
        for k in range(1, MAX_DETECTION_PERIODS + 1):
            part = slice(0, k)
            if judge(config, check_samples(new, old, part, part, "same-window")).metrics[index].outcome == "fail":
                found = k
                break
        result.periods.append(found)
    return result


# ---------------------------------------------------------------------------- the figure
@dataclass
class JudgeResult:
    canaries: list[CanaryRuns]
    detections: list[Detection]
    low_traffic: CanaryRuns
    calls_per_deployment: int
    queries_per_call: int
    seconds: float


def calls_per_deployment() -> tuple[int, int]:
    """GetMetricData calls of one default canary (one per check that has a whole period) and
    queries per call, from the real window and request builders."""
    config, calls, queries = JudgeConfig(), 0, 0
    phases: list[tuple[BaselineKind, int]] = [("same-window", BAKE_CHECKS), ("before-shift", FINAL_CHECKS)]
    for kind, checks in phases:
        for k in range(1, checks + 1):
            windows = check_windows(EPOCH + timedelta(seconds=k * PERIOD_SECONDS), EPOCH, kind)
            if windows is not None:
                calls += 1
                queries = len(metric_data_request(config, TARGETS, "green", windows, kind).request["MetricDataQueries"])
    return calls, queries


def measure_judge(deployments: int, trials: int) -> JudgeResult:
    started = time.perf_counter()
    canaries = [
        run_canaries("A/A, 50 requests/s per side", 50, 50, deployments, SEED),
        run_canaries("A/A, a 10 % canary of 500 requests/s (50 new, 450 old)", 50, 450, deployments, SEED + 1),
    ]
    wider = LATENCY_SIGMA + float(np.log(1.2)) / Z99  # p99 x 1.2, median unchanged
    detections = [
        detect(
            "error rate 0.5 % → 2 %, 50 requests/s per side",
            ERROR_RATE,
            ERROR_GOAL_PERIODS,
            SideModel(50, error_rate=0.02),
            trials,
            seed=SEED + 2,
        ),
        detect(
            "p99 latency +20 %, 50 requests/s per side",
            LATENCY_P99,
            P99_GOAL_PERIODS,
            SideModel(50, sigma=wider),
            trials,
            seed=SEED + 3,
        ),
    ]
    low = run_canaries("1 request/s per side", 1, 1, trials, SEED + 4)
    calls, queries = calls_per_deployment()
    return JudgeResult(canaries, detections, low, calls, queries, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    from bench.judge_report import render_judge
    from bench.report import FULL, QUICK

    parser = argparse.ArgumentParser(prog="python -m bench.judge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the smoke test's sample sizes")
    parameters = QUICK if parser.parse_args(argv).quick else FULL
    print("\n".join(render_judge(measure_judge(parameters.judge_deployments, parameters.judge_trials))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
