"""A GetMetricData answer turned into one check's samples, by the missing-data rules.

The ALB publishes a metric for a period only when it has a value: "If there are no requests
flowing through the load balancer or no data for a metric, the metric is not reported", and
HTTPCode_Target_5XX_Count's reporting criterion is "there is a nonzero value" (ALB guide,
"CloudWatch metrics for your Application Load Balancer"). So, per side and period:
- no RequestCount datapoint: 0 requests (no traffic; a side with none at all is inconclusive
  in judge.py, never a pass);
- no HTTPCode_Target_5XX_Count datapoint where there were requests: 0 errors;
- 5xx counted in a period without a RequestCount datapoint (publication lag between two
  metrics): ignored, there is no denominator; more 5xx than requests: capped at the requests;
- no TargetResponseTime or user-metric datapoint: no sample for that period (never a zero).
A query whose StatusCode is not "Complete" (InternalError, Forbidden, PartialData left
unpaged) makes the metrics that depend on it unusable: inconclusive, with CloudWatch's reason.
Datapoints outside a side's own window (one call spans both windows) are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cutover.shifter.contract import Side
from cutover.shifter.logic.analysis.models import (
    ERROR_RATE,
    LATENCY_P50,
    LATENCY_P99,
    PERIOD_SECONDS,
    CheckSamples,
    SideTraffic,
    SideValues,
    Window,
)
from cutover.shifter.logic.analysis.queries import QueryPlan, query_id

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import MetricDataResultTypeDef


def _in_window(result: MetricDataResultTypeDef, window: Window) -> dict[datetime, float]:
    points: dict[datetime, float] = {}
    for moment, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=True):
        if window.start <= moment < window.end:
            points[moment] = value
    return points


def _problem(result: MetricDataResultTypeDef | None) -> str | None:
    if result is None:
        return "no result for the query"
    status = result.get("StatusCode", "Complete")
    if status == "Complete":
        return None
    messages = "; ".join(f"{m.get('Code', '')} {m.get('Value', '')}".strip() for m in result.get("Messages", []))
    return f"{status}: {messages}" if messages else status


def _traffic(side: Side, window: Window, requests: dict[datetime, float], errors: dict[datetime, float]) -> SideTraffic:
    request_counts: list[int] = []
    error_counts: list[int] = []
    for index in range(window.periods):
        moment = window.start + timedelta(seconds=index * PERIOD_SECONDS)
        count = round(requests.get(moment, 0.0))
        request_counts.append(count)
        error_counts.append(min(count, round(errors.get(moment, 0.0))))
    return SideTraffic(side=side, requests=tuple(request_counts), errors=tuple(error_counts))


def samples_from_response(plan: QueryPlan, results: Sequence[MetricDataResultTypeDef]) -> CheckSamples:
    """`results`: every MetricDataResults entry of the call, all pages merged."""
    by_id = {result.get("Id", ""): result for result in results}
    windows: dict[Side, Window] = {plan.new_side: plan.new_window, plan.baseline_side: plan.baseline_window}
    unusable: dict[str, str] = {}
    traffic: dict[Side, SideTraffic] = {}
    for side, window in windows.items():
        counts = by_id.get(query_id(side, "requests", "")), by_id.get(query_id(side, "errors", ""))
        for result in counts:
            problem = _problem(result)
            if problem is not None:
                # Without the counts there is no error rate and no traffic to require.
                for metric in (ERROR_RATE, LATENCY_P50, LATENCY_P99):
                    unusable.setdefault(metric, f"{side}: {problem}")
        requests, errors = ({} if r is None else _in_window(r, window) for r in counts)
        traffic[side] = _traffic(side, window, requests, errors)
    values: dict[str, tuple[SideValues, SideValues]] = {}
    metrics = sorted({metric for _, kind, metric in plan.meaning.values() if kind == "values"})
    for metric in metrics:
        per_side: list[SideValues] = []
        for side in (plan.new_side, plan.baseline_side):
            result = by_id.get(query_id(side, "values", metric))
            problem = _problem(result)
            if problem is not None:
                unusable.setdefault(metric, f"{side}: {problem}")
            points = {} if result is None else _in_window(result, windows[side])
            per_side.append(SideValues(side=side, values=tuple(points[moment] for moment in sorted(points))))
        values[metric] = (per_side[0], per_side[1])
    return CheckSamples(
        baseline_kind=plan.baseline_kind,
        new_window=plan.new_window,
        baseline_window=plan.baseline_window,
        new=traffic[plan.new_side],
        baseline=traffic[plan.baseline_side],
        values=values,
        unusable=unusable,
    )
