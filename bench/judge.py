"""Figure 7: the judge (cutover/shifter/logic/analysis) on simulated deployments.

Pure simulation, no AWS and no moto: per 60 s period and side, requests ~ Poisson(rate x 60),
5xx ~ Binomial(requests, error rate), and the period's p50 and p99 as CloudWatch would compute
them from that many lognormal response times (drawn as the order statistic itself: the k-th
smallest of n uniforms is Beta(k, n + 1 - k), so a period costs two draws, not n). Both sides
share a per-period load factor on latency (what makes the same-window baseline like-for-like),
and each side has a per-period factor of its own (its tasks, their neighbours); p50 and p99
are drawn independently of each other. Where the numbers come from: the sampling noise of a
period's percentiles follows from its request count (the order statistic is exact); the
lognormal shape (sigma 0.5, p99 = 3.2 x p50) and the two factors (3 % each) are assumptions,
not measurements (no public source gives the minute-to-minute p99 spread between two target
groups), so the trade-off table also runs the default at 0 %, 5 % and 8 % of a side's own.
Shifts fall on period boundaries (an unaligned shift loses the period it falls in: one more
period in every figure below, and no call at a bake's first check, as `calls_per_deployment`
counts).

A default canary (shifter/logic/plan.py StrategyDefaults: 10 %, bake 300 s, poll 60 s, termination
wait 900 s): 5 checks during the bake against the same window on the old side, then 15 during
the final wait at 100 % against the old side's window before the shift, each check judging
the three built-in metrics at the default JudgeConfig. Every check of every metric counts.
The trade-off table measures other latency settings and noise levels on the same seeds.
Seeded (numpy PCG64): every run prints the same figures.

`python -m bench.judge [--quick]` prints this figure alone.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np
from scipy.special import ndtri

from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import (
    ERROR_RATE,
    LATENCY_P50,
    LATENCY_P99,
    PERIOD_SECONDS,
    BaselineKind,
    CheckSamples,
    JudgeConfig,
    Outcome,
    PeriodJudge,
    SideTraffic,
    SideValues,
    Window,
)
from cutover.shifter.logic.analysis.queries import AlbTargets, check_windows, metric_data_request

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


def simulate(
    rng: np.random.Generator, models: list[SideModel], shared: np.ndarray, side_noise: float = SIDE_NOISE_SIGMA
) -> Periods:
    """One side, period i drawn from models[i]."""
    requests = rng.poisson(np.array([m.rps for m in models]) * PERIOD_SECONDS)
    errors = rng.binomial(requests, np.array([m.error_rate for m in models]))
    sigma = np.array([m.sigma for m in models])
    safe = np.maximum(requests, 1)
    own = shared * np.exp(rng.normal(0, side_noise, len(models)))
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
    rng: np.random.Generator, config: JudgeConfig, new_rps: float, old_rps: float, side_noise: float = SIDE_NOISE_SIGMA
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
    old, new = simulate(rng, old_models, shared, side_noise), simulate(rng, new_models, shared, side_noise)
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
    label: str,
    new_rps: float,
    old_rps: float,
    deployments: int,
    seed: int,
    *,
    config: JudgeConfig | None = None,
    side_noise: float = SIDE_NOISE_SIGMA,
) -> CanaryRuns:
    rng = np.random.Generator(np.random.PCG64(seed))
    config = config or JudgeConfig()
    runs = CanaryRuns(label=label, new_rps=new_rps, old_rps=old_rps)
    metrics = [ERROR_RATE, LATENCY_P50, LATENCY_P99]
    for _ in range(deployments):
        checks = canary_deployment(rng, config, new_rps, old_rps, side_noise)
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
        # Nearest rank (as CloudWatch's percentiles): the smallest value at or above 95 % of the
        # trials, so "95 % within the goal" and "95th percentile <= the goal" say the same.
        ordered = sorted(p if p is not None else MAX_DETECTION_PERIODS + 1 for p in self.periods)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]


def detect(
    label: str,
    metric: str,
    goal: int,
    regressed: SideModel,
    trials: int,
    *,
    seed: int,
    config: JudgeConfig | None = None,
    side_noise: float = SIDE_NOISE_SIGMA,
) -> Detection:
    """Same-window checks after every period, 50 requests/s per side, until `metric` fails."""
    rng = np.random.Generator(np.random.PCG64(seed))
    config = config or JudgeConfig()
    index = [ERROR_RATE, LATENCY_P50, LATENCY_P99].index(metric)
    result = Detection(label=label, metric=metric, goal_periods=goal)
    for _ in range(trials):
        shared = np.exp(rng.normal(0, SHARED_LOAD_SIGMA, MAX_DETECTION_PERIODS))
        old = simulate(rng, [SideModel(regressed.rps)] * MAX_DETECTION_PERIODS, shared, side_noise)
        new = simulate(rng, [regressed] * MAX_DETECTION_PERIODS, shared, side_noise)
        found: int | None = None
        for k in range(1, MAX_DETECTION_PERIODS + 1):
            part = slice(0, k)
            if judge(config, check_samples(new, old, part, part, "same-window")).metrics[index].outcome == "fail":
                found = k
                break
        result.periods.append(found)
    return result


# ---------------------------------------------------------------------------- the trade-off
@dataclass(frozen=True)
class LatencySetting:
    """Both latency metrics' settings, and the per-side noise they are measured under."""

    min_periods: int
    confidence: float
    tolerance: float
    side_noise: float = SIDE_NOISE_SIGMA
    note: str = ""

    def config(self) -> JudgeConfig:
        judge = PeriodJudge(min_periods=self.min_periods, confidence=self.confidence, tolerance=self.tolerance)
        return JudgeConfig(latency_p50=judge, latency_p99=judge)

    def is_default(self) -> bool:
        default = PeriodJudge()
        chosen = (self.min_periods, self.confidence, self.tolerance, self.side_noise)
        return chosen == (default.min_periods, default.confidence, default.tolerance, SIDE_NOISE_SIGMA)


# What the latency defaults were chosen from (docs/analysis.md, "Why these defaults"): the
# previous default, what a lower minimum or tolerance buys, and the default under less and more
# noise of its own on each side than the simulation assumes (SIDE_NOISE_SIGMA is an assumption,
# not a measurement: this is how much the figure depends on it).
TRADE_OFF: Final = (
    LatencySetting(5, 0.98, 0.05, note="the previous default"),
    LatencySetting(4, 0.98, 0.05, note="the fewest periods that can fail at 98 %"),
    LatencySetting(5, 0.98, 0.03),
    LatencySetting(5, 0.95, 0.03),
    LatencySetting(5, 0.95, 0.05, note="the default"),
    LatencySetting(5, 0.98, 0.05, side_noise=0.0, note="the previous default, no noise of a side's own"),
    LatencySetting(5, 0.95, 0.05, side_noise=0.0),
    LatencySetting(5, 0.95, 0.05, side_noise=0.05),
    LatencySetting(5, 0.95, 0.05, side_noise=0.08),
)


@dataclass
class TradeOffRow:
    setting: LatencySetting
    p99: Detection
    canaries: list[CanaryRuns]  # A/A at 50/50 and at 50/450 requests/s

    @property
    def worst_false_positive_rate(self) -> float:
        return max(runs.false_positive_rate for runs in self.canaries)


# p99 x 1.2 by a wider tail, the median unchanged (what a release slower on its slowest requests does).
P99_REGRESSION: Final = SideModel(50, sigma=LATENCY_SIGMA + float(np.log(1.2)) / Z99)


def trade_off(deployments: int, trials: int) -> list[TradeOffRow]:
    """Each setting on the same seeds as the figure: p99 +20 % detection and A/A false positives."""
    rows = []
    for setting in TRADE_OFF:
        config, noise = setting.config(), setting.side_noise
        p99 = detect(
            "p99 +20 %",
            LATENCY_P99,
            P99_GOAL_PERIODS,
            P99_REGRESSION,
            trials,
            seed=SEED + 3,
            config=config,
            side_noise=noise,
        )
        canaries = [
            run_canaries("50/50", 50, 50, deployments, SEED, config=config, side_noise=noise),
            run_canaries("50/450", 50, 450, deployments, SEED + 1, config=config, side_noise=noise),
        ]
        rows.append(TradeOffRow(setting, p99, canaries))
    return rows


# ---------------------------------------------------------------------------- the figure
@dataclass
class JudgeResult:
    canaries: list[CanaryRuns]
    detections: list[Detection]
    low_traffic: CanaryRuns
    calls_per_deployment: int
    queries_per_call: int
    seconds: float
    trade_off: list[TradeOffRow] = field(default_factory=list)
    cpu_seconds: float = (
        0.0  # what the wall time is on an idle core (other work on the machine stretches the wall time)
    )


# A shift lands anywhere within a minute: the check one poll later has no whole period since
# (the shift's own period mixes two weights and is left out), so it makes no call.
SHIFT_OFFSET_SECONDS: Final = 20


def calls_per_deployment(shift_offset_seconds: int = SHIFT_OFFSET_SECONDS) -> tuple[int, int]:
    """GetMetricData calls of one default canary (one per check that has a whole period since
    the shift) and queries per call, from the real window and request builders; checks every
    poll interval after a shift `shift_offset_seconds` into a period, as on AWS."""
    config, calls, queries = JudgeConfig(), 0, 0
    shifted_at = EPOCH + timedelta(seconds=shift_offset_seconds)
    phases: list[tuple[BaselineKind, int]] = [("same-window", BAKE_CHECKS), ("before-shift", FINAL_CHECKS)]
    for kind, checks in phases:
        for k in range(1, checks + 1):
            windows = check_windows(shifted_at + timedelta(seconds=k * PERIOD_SECONDS), shifted_at, kind)
            if windows is not None:
                calls += 1
                queries = len(metric_data_request(config, TARGETS, "green", windows, kind).request["MetricDataQueries"])
    return calls, queries


def measure_judge(deployments: int, trials: int, *, trade_off_deployments: int | None = None) -> JudgeResult:
    started, cpu = time.perf_counter(), time.process_time()
    canaries = [
        run_canaries("A/A, 50 requests/s per side", 50, 50, deployments, SEED),
        run_canaries("A/A, a 10 % canary of 500 requests/s (50 new, 450 old)", 50, 450, deployments, SEED + 1),
    ]
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
            P99_REGRESSION,
            trials,
            seed=SEED + 3,
        ),
    ]
    low = run_canaries("1 request/s per side", 1, 1, trials, SEED + 4)
    calls, queries = calls_per_deployment()
    rows = trade_off(deployments // 2 if trade_off_deployments is None else trade_off_deployments, trials)
    elapsed = time.perf_counter() - started
    return JudgeResult(canaries, detections, low, calls, queries, elapsed, rows, time.process_time() - cpu)


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
