"""One GetMetricData request per check: every metric of both sides, the ALB's dimensions, the
side substituted into user queries, whole periods, and GetMetricData's documented limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from cutover.shifter.logic.analysis.models import PERIOD_SECONDS, JudgeConfig, MetricQuery, UserMetric
from cutover.shifter.logic.analysis.queries import (
    MAX_DATAPOINTS,
    MAX_QUERIES,
    MAX_WINDOW_PERIODS,
    AlbTargets,
    alb_targets,
    check_windows,
    metric_data_request,
)

TARGETS = AlbTargets(
    load_balancer="app/cutover-demo/50dc6c495c0c9188",
    target_groups={
        "blue": "targetgroup/demo-blue/73e2d6bc24d8a067",
        "green": "targetgroup/demo-green/2453ed029918f21f",
    },
)
SHIFT = datetime(2026, 12, 1, 12, 0, 20, tzinfo=UTC)  # 20 s into a period
QUERY_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")  # GetMetricData MetricDataQuery.Id


def user_metric(name: str) -> UserMetric:
    dimensions = {"Service": "demo", "Side": "{side}"}
    query = MetricQuery(namespace="Cutover/App", metric_name="OrdersFailed", dimensions=dimensions, stat="Sum")
    return UserMetric(name=name, query=query)


def test_same_window_skips_the_shift_period_and_the_period_in_progress() -> None:
    windows = check_windows(SHIFT + timedelta(minutes=5, seconds=10), SHIFT, "same-window")
    assert windows is not None
    new, baseline = windows
    assert new == baseline
    assert (new.start, new.end, new.periods) == (
        datetime(2026, 12, 1, 12, 1, tzinfo=UTC),
        datetime(2026, 12, 1, 12, 5, tzinfo=UTC),
        4,
    )


def test_no_window_before_the_first_whole_period() -> None:
    assert check_windows(SHIFT + timedelta(seconds=90), SHIFT, "same-window") is None


def test_before_shift_the_baseline_is_the_old_sides_window_of_the_same_length_before_it() -> None:
    windows = check_windows(SHIFT + timedelta(minutes=7), SHIFT, "before-shift")
    assert windows is not None
    new, baseline = windows
    assert new.periods == baseline.periods == 6
    assert baseline.end == datetime(2026, 12, 1, 12, 0, tzinfo=UTC) and baseline.end <= SHIFT < new.start


def test_long_waits_are_bounded() -> None:
    day_later = SHIFT + timedelta(days=2)
    same = check_windows(day_later, SHIFT, "same-window")
    before = check_windows(day_later, SHIFT, "before-shift")
    assert same is not None and before is not None
    assert same[0].periods == before[0].periods == before[1].periods == MAX_WINDOW_PERIODS
    assert same[0].end == datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # the latest periods of a long bake
    assert before[0].start == datetime(2026, 12, 1, 12, 1, tzinfo=UTC)  # the first after the shift


def test_one_request_reads_every_metric_of_both_sides() -> None:
    config = JudgeConfig(user_metrics=(user_metric("orders_failed"),))
    windows = check_windows(SHIFT + timedelta(minutes=6), SHIFT, "same-window")
    assert windows is not None
    plan = metric_data_request(config, TARGETS, "green", windows, "same-window")
    queries = plan.request["MetricDataQueries"]
    assert len(queries) == 10
    ids = [q["Id"] for q in queries]
    assert len(set(ids)) == len(ids) and all(QUERY_ID.fullmatch(i) for i in ids)
    reads = {}
    for query in queries:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        dimensions = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
        reads[query["Id"]] = (metric["Namespace"], metric["MetricName"], stat["Stat"], dimensions)
        assert stat["Period"] == PERIOD_SECONDS
    alb_green = {"LoadBalancer": TARGETS.load_balancer, "TargetGroup": TARGETS.target_groups["green"]}
    alb_blue = {"LoadBalancer": TARGETS.load_balancer, "TargetGroup": TARGETS.target_groups["blue"]}
    assert reads["green_requests"] == ("AWS/ApplicationELB", "RequestCount", "Sum", alb_green)
    assert reads["green_errors"] == ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", alb_green)
    assert reads["green_latency_p50"] == ("AWS/ApplicationELB", "TargetResponseTime", "p50", alb_green)
    assert reads["blue_latency_p99"] == ("AWS/ApplicationELB", "TargetResponseTime", "p99", alb_blue)
    assert reads["green_orders_failed"] == ("Cutover/App", "OrdersFailed", "Sum", {"Service": "demo", "Side": "green"})
    assert reads["blue_orders_failed"][3] == {"Service": "demo", "Side": "blue"}
    assert (plan.request["StartTime"], plan.request["EndTime"]) == (windows[0].start, windows[0].end)
    assert plan.meaning["blue_errors"] == ("blue", "errors", "")
    assert plan.baseline_side == "blue"


def test_a_before_shift_request_spans_both_windows() -> None:
    windows = check_windows(SHIFT + timedelta(minutes=4), SHIFT, "before-shift")
    assert windows is not None
    plan = metric_data_request(JudgeConfig(), TARGETS, "blue", windows, "before-shift")
    assert plan.request["StartTime"] == windows[1].start and plan.request["EndTime"] == windows[0].end
    assert plan.new_side == "blue" and plan.baseline_side == "green"


def test_the_largest_configuration_fits_one_call() -> None:
    config = JudgeConfig(user_metrics=tuple(user_metric(f"m{i}") for i in range(20)))
    windows = check_windows(SHIFT + timedelta(days=2), SHIFT, "before-shift")
    assert windows is not None
    plan = metric_data_request(config, TARGETS, "green", windows, "before-shift")
    queries = len(plan.request["MetricDataQueries"])
    span = plan.request["EndTime"] - plan.request["StartTime"]  # type: ignore[operator]
    periods = int(span.total_seconds()) // PERIOD_SECONDS
    assert queries == 48 <= MAX_QUERIES
    assert queries * periods <= MAX_DATAPOINTS


def test_dimension_values_are_the_arns_final_portions() -> None:
    targets = alb_targets(
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/cutover-demo/50dc6c495c0c9188/f2f7dc8efc522ab2",
        {
            "blue": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-blue/943f017f100becff",
            "green": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/demo-green/0123456789abcdef",
        },
    )
    assert targets.load_balancer == "app/cutover-demo/50dc6c495c0c9188"
    assert targets.target_groups == {
        "blue": "targetgroup/demo-blue/943f017f100becff",
        "green": "targetgroup/demo-green/0123456789abcdef",
    }
