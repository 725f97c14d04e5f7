"""One check's verdict: each metric pass, fail or inconclusive, and the overall verdict.

Rules, in the order they apply to each metric (docs/analysis.md, "Missing data"):
1. CloudWatch could not give the metric (a throttled or failed call, a `StatusCode` other
   than Complete, a call message): inconclusive with CloudWatch's reason, which comes first
   because a failed call also looks like no traffic.
2. No requests on a side in its window (no `RequestCount` datapoint at all) is no traffic:
   inconclusive. Never pass: "no data" is not evidence that the new side is fine.
3. Fewer requests than `min_requests`, or fewer periods than `min_periods` on either side:
   inconclusive, never pass. For per-period metrics a period counts only with a datapoint.
4. The new side beyond the metric's `absolute_limit` (its rate, or the median of its periods):
   fail, whatever the baseline.
5. The test: fail when the new side is worse than the baseline with the tolerance applied, at
   the confidence level (p-value below 1 - confidence); pass otherwise.
Overall: fail if any metric fails; otherwise inconclusive if any is; otherwise pass.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Final

from cutover.shifter.logic.analysis.fisher import fisher_greater
from cutover.shifter.logic.analysis.mann_whitney import mann_whitney_greater
from cutover.shifter.logic.analysis.models import (
    ERROR_RATE,
    BaselineKind,
    CheckSamples,
    JudgeConfig,
    MetricVerdict,
    Outcome,
    PeriodJudge,
    RateJudge,
    SideSummary,
    SideTraffic,
    SideValues,
    Verdict,
    significance,
)

BASELINE_DESCRIPTIONS: Final[dict[BaselineKind, str]] = {
    "same-window": "same window, old side",
    "before-shift": "old side's window before the shift",
}


def _percent(value: float) -> str:
    return f"{value * 100:.2f} %"


def _amount(metric: str, value: float) -> str:
    # TargetResponseTime is in seconds; people read latency in milliseconds.
    return f"{value * 1000:.1f} ms" if metric.startswith("latency_") else f"{value:.4g}"


def _limits(settings: RateJudge | PeriodJudge) -> dict[str, float | None]:
    """What a metric's verdict repeats of its settings."""
    return {
        "confidence": settings.confidence,
        "tolerance": settings.tolerance,
        "absolute_limit": settings.absolute_limit,
    }


def _traffic_shortfall(
    unusable: str | None, new: SideTraffic, baseline: SideTraffic, min_requests: int, min_periods: int | None
) -> str | None:
    """Why the traffic cannot be judged (rules 1 to 3), or None."""
    # CloudWatch's own reason first: a failed call also looks like "no traffic".
    if unusable is not None:
        return f"CloudWatch gave no usable data ({unusable})"
    for traffic in (new, baseline):
        if min_requests > 0 and traffic.total_requests == 0:
            return f"no traffic on {traffic.side} (no RequestCount datapoint in its window)"
        if traffic.total_requests < min_requests:
            return f"too little traffic: {traffic.total_requests} requests on {traffic.side}, {min_requests} needed"
        if min_periods is not None and traffic.periods_with_requests < min_periods:
            periods = traffic.periods_with_requests
            return f"too few periods with requests on {traffic.side}: {periods}, {min_periods} needed"
    return None


def _rate_summary(traffic: SideTraffic) -> SideSummary:
    """A side's requests, errors and error rate (None without requests) over its window."""
    rate = traffic.total_errors / traffic.total_requests if traffic.total_requests else None
    return SideSummary(
        side=traffic.side,
        periods=traffic.periods_with_requests,
        requests=traffic.total_requests,
        errors=traffic.total_errors,
        value=rate,
    )


def judge_rate(
    settings: RateJudge, new: SideTraffic, baseline: SideTraffic, unusable: str | None = None
) -> MetricVerdict:
    new_summary, base_summary = _rate_summary(new), _rate_summary(baseline)
    new_rate, base_rate = new_summary.value, base_summary.value
    common = {
        "metric": ERROR_RATE,
        "direction": "higher-is-worse",
        "new": new_summary,
        "baseline": base_summary,
        **_limits(settings),
    }
    shortfall = _traffic_shortfall(unusable, new, baseline, settings.min_requests, settings.min_periods)
    if shortfall is not None or new_rate is None or base_rate is None:
        return MetricVerdict(outcome="inconclusive", test="none", explanation=f"error rate: {shortfall}", **common)
    threshold = base_rate * (1 + settings.tolerance)
    observed = (
        f"{_percent(new_rate)} ({new.total_errors}/{new.total_requests}) on {new.side} vs "
        f"{_percent(base_rate)} ({baseline.total_errors}/{baseline.total_requests}) on {baseline.side}"
    )
    if settings.absolute_limit is not None and new_rate > settings.absolute_limit:
        return MetricVerdict(
            outcome="fail",
            test="none",
            threshold=threshold,
            explanation=f"error rate {observed}: above the absolute limit {_percent(settings.absolute_limit)}",
            **common,
        )
    result = fisher_greater(
        new.total_errors, new.total_requests, baseline.total_errors, baseline.total_requests, 1 + settings.tolerance
    )
    outcome: Outcome = "fail" if result.p_value < significance(settings.confidence) else "pass"
    verb = "more than" if outcome == "fail" else "not shown to be more than"
    return MetricVerdict(
        outcome=outcome,
        test="fisher",
        statistic=new_rate / base_rate if base_rate > 0 else None,
        p_value=result.p_value,
        threshold=threshold,
        explanation=(
            f"error rate {observed}: {verb} {settings.tolerance:.0%} worse at {settings.confidence:.0%} "
            f"confidence (Fisher, p = {result.p_value:.2g})"
        ),
        **common,
    )


def _with_tolerance(value: float, settings: PeriodJudge) -> float:
    # |value|: a tolerance widens towards "worse" whatever the sign of the metric.
    allowance = settings.tolerance * abs(value)
    return value + allowance if settings.direction == "higher-is-worse" else value - allowance


def _beyond(value: float, limit: float, settings: PeriodJudge) -> bool:
    return value > limit if settings.direction == "higher-is-worse" else value < limit


def judge_values(
    metric: str,
    settings: PeriodJudge,
    values: tuple[SideValues, SideValues],
    traffic: tuple[SideTraffic, SideTraffic],
    unusable: str | None = None,
) -> MetricVerdict:
    new, baseline = values
    new_median = statistics.median(new.values) if new.values else None
    base_median = statistics.median(baseline.values) if baseline.values else None
    common = {
        "metric": metric,
        "direction": settings.direction,
        "new": SideSummary(
            side=new.side, periods=len(new.values), requests=traffic[0].total_requests, value=new_median
        ),
        "baseline": SideSummary(
            side=baseline.side, periods=len(baseline.values), requests=traffic[1].total_requests, value=base_median
        ),
        **_limits(settings),
    }
    shortfall = _traffic_shortfall(unusable, traffic[0], traffic[1], settings.min_requests, None)
    for side_values in values:
        if shortfall is None and len(side_values.values) < settings.min_periods:
            shortfall = (
                f"too few periods with a value on {side_values.side}: {len(side_values.values)}, "
                f"{settings.min_periods} needed"
            )
    if shortfall is not None or new_median is None or base_median is None:
        return MetricVerdict(outcome="inconclusive", test="none", explanation=f"{metric}: {shortfall}", **common)
    threshold = _with_tolerance(base_median, settings)
    observed = (
        f"median {_amount(metric, new_median)} over {len(new.values)} periods on {new.side} vs "
        f"{_amount(metric, base_median)} over {len(baseline.values)} on {baseline.side}"
    )
    if settings.absolute_limit is not None and _beyond(new_median, settings.absolute_limit, settings):
        return MetricVerdict(
            outcome="fail",
            test="none",
            threshold=threshold,
            explanation=f"{metric} {observed}: beyond the absolute limit {_amount(metric, settings.absolute_limit)}",
            **common,
        )
    scaled = [_with_tolerance(v, settings) for v in baseline.values]
    result = (
        mann_whitney_greater(new.values, scaled)
        if settings.direction == "higher-is-worse"
        else mann_whitney_greater(scaled, new.values)
    )
    outcome: Outcome = "fail" if result.p_value < significance(settings.confidence) else "pass"
    verb = "more than" if outcome == "fail" else "not shown to be more than"
    pairs = len(new.values) * len(baseline.values)
    return MetricVerdict(
        outcome=outcome,
        test="mann-whitney",
        statistic=result.u,
        p_value=result.p_value,
        threshold=threshold,
        explanation=(
            f"{metric} {observed}: {verb} {settings.tolerance:.0%} worse at {settings.confidence:.0%} confidence "
            f"(Mann-Whitney U = {result.u:g} of {pairs} pairs, {result.method}, p = {result.p_value:.2g})"
        ),
        **common,
    )


def overall(outcomes: Sequence[Outcome]) -> Outcome:
    if "fail" in outcomes:
        return "fail"
    if "inconclusive" in outcomes or not outcomes:
        return "inconclusive"
    return "pass"


def _explain(outcome: Outcome, metrics: Sequence[MetricVerdict], baseline: str) -> str:
    if outcome == "pass":
        return f"pass: {len(metrics)} metrics within tolerance against the {baseline}"
    chosen = [m for m in metrics if m.outcome == outcome]
    more = f" (and {len(chosen) - 1} more)" if len(chosen) > 1 else ""
    return f"{outcome}: {chosen[0].explanation}{more}; baseline: {baseline}"


def judge(config: JudgeConfig, samples: CheckSamples) -> Verdict:
    traffic = (samples.new, samples.baseline)
    verdicts = [judge_rate(config.error_rate, samples.new, samples.baseline, samples.unusable.get(ERROR_RATE))]
    for metric, settings in config.period_judges().items():
        values = samples.values.get(
            metric, (SideValues(side=samples.new.side, values=()), SideValues(side=samples.baseline.side, values=()))
        )
        verdicts.append(judge_values(metric, settings, values, traffic, samples.unusable.get(metric)))
    outcome = overall([v.outcome for v in verdicts])
    baseline = BASELINE_DESCRIPTIONS[samples.baseline_kind]
    return Verdict(
        outcome=outcome,
        baseline_kind=samples.baseline_kind,
        baseline_description=baseline,
        new_window=samples.new_window,
        baseline_window=samples.baseline_window,
        metrics=tuple(verdicts),
        explanation=_explain(outcome, verdicts, baseline),
    )
