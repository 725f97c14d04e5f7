"""GetMetricData answers turned into samples, one test per missing-data rule. The answers are
written here in the shape the CloudWatch API reference gives MetricDataResults (Id,
Timestamps, Values, StatusCode, Messages), with what the ALB leaves out left out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import ERROR_RATE, LATENCY_P99, JudgeConfig
from cutover.shifter.logic.analysis.queries import QueryPlan, check_windows, metric_data_request
from cutover.shifter.logic.analysis.responses import samples_from_response
from tests.unit.shifter.analysis.test_queries import SHIFT, TARGETS

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import MetricDataResultTypeDef

PERIODS = 6


def plan() -> QueryPlan:
    windows = check_windows(SHIFT + timedelta(minutes=PERIODS + 1), SHIFT, "same-window")
    assert windows is not None
    return metric_data_request(JudgeConfig(), TARGETS, "green", windows, "same-window")


def series(query_id: str, values: list[float | None], start: datetime) -> MetricDataResultTypeDef:
    """One query's result: a datapoint per period, none where the value is None."""
    points = [(start + timedelta(minutes=i), v) for i, v in enumerate(values) if v is not None]
    return {
        "Id": query_id,
        "Timestamps": [t for t, _ in points],
        "Values": [v for _, v in points],
        "StatusCode": "Complete",
    }


def answer(the_plan: QueryPlan, **by_id: list[float | None]) -> list[MetricDataResultTypeDef]:
    start = the_plan.new_window.start
    steady: dict[str, list[float | None]] = {}
    for side in ("green", "blue"):
        steady[f"{side}_requests"] = [3000.0] * PERIODS
        # A metric without datapoints in the range still has its result, with no values.
        steady[f"{side}_errors"] = [None] * PERIODS
        steady[f"{side}_latency_p50"] = [0.05] * PERIODS
        steady[f"{side}_latency_p99"] = [0.1, 0.11, 0.09, 0.1, 0.105, 0.095]
    steady.update(by_id)
    return [series(query_id, values, start) for query_id, values in steady.items()]


def test_no_5xx_datapoint_with_requests_present_means_zero_errors() -> None:
    the_plan = plan()
    samples = samples_from_response(the_plan, answer(the_plan))
    assert samples.new.errors == (0,) * PERIODS and samples.new.requests == (3000,) * PERIODS
    assert judge(JudgeConfig(), samples).metrics[0].outcome == "pass"


def test_5xx_datapoints_are_counted_per_period() -> None:
    the_plan = plan()
    samples = samples_from_response(the_plan, answer(the_plan, green_errors=[None, 60.0, None, None, 30.0, None]))
    assert samples.new.errors == (0, 60, 0, 0, 30, 0)
    assert samples.baseline.errors == (0,) * PERIODS


def test_no_request_count_means_no_traffic_and_is_inconclusive() -> None:
    the_plan = plan()
    samples = samples_from_response(
        the_plan, answer(the_plan, green_requests=[None] * PERIODS, green_latency_p50=[], green_latency_p99=[])
    )
    assert samples.new.requests == (0,) * PERIODS
    verdict = judge(JudgeConfig(), samples)
    assert verdict.outcome == "inconclusive"
    assert [m.outcome for m in verdict.metrics] == ["inconclusive"] * 3
    assert "no traffic on green" in verdict.metrics[0].explanation


def test_5xx_without_requests_in_a_period_is_ignored_and_more_5xx_than_requests_is_capped() -> None:
    the_plan = plan()
    samples = samples_from_response(
        the_plan,
        answer(
            the_plan,
            green_requests=[None, 10.0, 3000.0, 3000.0, 3000.0, 3000.0],
            green_errors=[4.0, 12.0, None, None, None, None],
        ),
    )
    assert samples.new.requests[:2] == (0, 10) and samples.new.errors[:2] == (0, 10)


def test_a_missing_latency_datapoint_is_no_sample_not_zero() -> None:
    the_plan = plan()
    samples = samples_from_response(the_plan, answer(the_plan, green_latency_p99=[0.1, None, None, 0.1, None, 0.1]))
    new_p99, _ = samples.values[LATENCY_P99]
    assert new_p99.values == (0.1, 0.1, 0.1)
    p99 = judge(JudgeConfig(), samples).metrics[2]
    assert p99.outcome == "inconclusive" and "3, 5 needed" in p99.explanation


def test_datapoints_outside_the_window_are_dropped() -> None:
    the_plan = plan()
    start = the_plan.new_window.start
    results = answer(the_plan)
    results.append(
        {
            "Id": "green_errors",
            "Timestamps": [start - timedelta(minutes=1), the_plan.new_window.end],
            "Values": [500.0, 500.0],
            "StatusCode": "Complete",
        }
    )
    assert samples_from_response(the_plan, results).new.errors == (0,) * PERIODS


def test_a_query_cloudwatch_refused_makes_its_metrics_inconclusive_with_the_reason() -> None:
    the_plan = plan()
    results = answer(the_plan)
    results.append(
        {
            "Id": "blue_errors",
            "Timestamps": [],
            "Values": [],
            "StatusCode": "Forbidden",
            "Messages": [{"Code": "Forbidden", "Value": "not authorized"}],
        }
    )
    samples = samples_from_response(the_plan, results)
    assert samples.unusable[ERROR_RATE] == "blue: Forbidden: Forbidden not authorized"
    verdict = judge(JudgeConfig(), samples)
    assert verdict.metrics[0].outcome == "inconclusive" and verdict.outcome == "inconclusive"


def test_a_missing_query_result_is_inconclusive() -> None:
    the_plan = plan()
    results = [r for r in answer(the_plan) if r.get("Id") != "blue_latency_p99"]
    samples = samples_from_response(the_plan, results)
    assert samples.unusable[LATENCY_P99] == "blue: no result for the query"
    assert judge(JudgeConfig(), samples).metrics[2].outcome == "inconclusive"
