"""The router publishes the ALB's target-group metrics into local CloudWatch, the GetMetricData
adapter reads both sides back, and the pure judge decides: fail for the side answering more
5xx, pass for identical sides, inconclusive without traffic.

Real here: the router (cutover/local/router.py) routing real HTTP requests by the listener's
weights in moto, AlbMetrics publishing with PutMetricData, moto's CloudWatch with the
percentile patch (cutover/local/metric_percentiles.py), the adapter and the judge. Faked: the
targets are tiny in-test servers failing every `fail_every`-th request (the example service's
ERROR_RATE schedule, tests/service/test_faults.py, without two service processes on a shared
machine), and the metrics' periods come from a clock the test advances by 60 s (the harness's
virtual clock in the demo)."""

from __future__ import annotations

import http.client
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3

from cutover.local import moto_patches
from cutover.local.alb_metrics import AlbMetrics
from cutover.local.router import ListenerRouter
from cutover.shifter.adapters.metric_data import CloudWatchMetricData
from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import JudgeConfig, PeriodJudge, RateJudge, Verdict
from cutover.shifter.logic.analysis.queries import AlbTargets, check_windows, metric_data_request
from tests.local import test_router
from tests.local.http_target import HttpTarget, QuietHandler
from tests.local.manual_clock import ManualClock
from tests.local.test_router import REFRESH, REGION, Aws, Stack

# The router tests' local AWS (VPC, ALB, blue and green target groups, a listener per test).
aws = test_router.aws
stack = test_router.stack
PERIODS = 6
HOURS_AGO = itertools.count(1)
REQUESTS_PER_PERIOD = 60  # through the listener at 50/50: about 30 per side
# Small traffic and a wide latency tolerance: the test judges error rates from a few hundred
# requests on a shared machine, where the two sides' latencies differ by scheduling noise.
CONFIG = JudgeConfig(
    error_rate=RateJudge(min_requests=100),
    latency_p50=PeriodJudge(min_requests=100, tolerance=5.0),
    latency_p99=PeriodJudge(min_requests=100, tolerance=5.0),
)


class FailingTarget(HttpTarget):
    def __init__(self, fail_every: int | None) -> None:
        count = iter(range(1, 1_000_000))

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                failed = fail_every is not None and next(count) % fail_every == 0
                self.send_response(500 if failed else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.serve(Handler)


def dimension(arn: str, marker: str) -> str:
    # ALB guide: LoadBalancer is "app/<name>/<id>", TargetGroup "targetgroup/<name>/<id>", the ARNs' tails.
    return arn[arn.index(marker) :]


def run(aws: Aws, stack: Stack, blue_fails_every: int | None, green_fails_every: int | None, requests: int) -> Verdict:
    moto_patches.apply()
    targets = {"blue": FailingTarget(blue_fails_every), "green": FailingTarget(green_fails_every)}
    clock = ManualClock(time=0.0)
    # Each test its own hour: moto's CloudWatch lives as long as the module's `aws` fixture.
    epoch = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=next(HOURS_AGO))
    groups = {stack.blue: dimension(stack.blue, "targetgroup/"), stack.green: dimension(stack.green, "targetgroup/")}
    metrics = AlbMetrics(
        lambda: boto3.client("cloudwatch", region_name=REGION),
        dimension(aws.alb, "app/"),
        groups,
        clock=clock,
        epoch=epoch,
    )
    stack.weights(50, 50)
    mapping = {stack.blue: [targets["blue"].url], stack.green: [targets["green"].url]}
    router = ListenerRouter(
        stack.listener,
        mapping,
        lambda: boto3.client("elbv2", region_name=REGION),
        refresh_seconds=REFRESH,
        alb_metrics=metrics,
    ).start()
    address = urlsplit(router.url)
    try:
        for _ in range(PERIODS):
            for _ in range(requests):
                connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
                connection.request("GET", "/mcp")
                connection.getresponse().read()
                connection.close()
            clock.time += 60
        metrics.flush(everything=True)
    finally:
        router.stop()
        for target in targets.values():
            target.close()
    windows = check_windows(epoch + timedelta(minutes=PERIODS, seconds=1), epoch, "same-window")
    assert windows is not None
    alb = AlbTargets(
        load_balancer=dimension(aws.alb, "app/"),
        target_groups={"blue": groups[stack.blue], "green": groups[stack.green]},
    )
    plan = metric_data_request(CONFIG, alb, "green", windows, "same-window")
    return judge(CONFIG, CloudWatchMetricData(boto3.client("cloudwatch", region_name=REGION)).read(plan))


def test_the_side_answering_more_5xx_fails_on_its_error_rate(aws: Aws, stack: Stack) -> None:
    verdict = run(aws, stack, blue_fails_every=None, green_fails_every=5, requests=REQUESTS_PER_PERIOD)
    assert verdict.outcome == "fail", verdict.explanation
    error_rate = verdict.metrics[0]
    assert error_rate.metric == "error_rate" and error_rate.outcome == "fail"
    assert error_rate.new.errors and error_rate.new.requests > 100 and error_rate.baseline.errors == 0
    # p50/p99 came from the raw response times through the percentile patch, on both sides.
    latency = {m.metric: m for m in verdict.metrics}
    assert latency["latency_p99"].new.periods == PERIODS and latency["latency_p99"].baseline.periods == PERIODS


def test_identical_sides_pass(aws: Aws, stack: Stack) -> None:
    verdict = run(aws, stack, blue_fails_every=None, green_fails_every=None, requests=REQUESTS_PER_PERIOD)
    assert verdict.outcome == "pass", verdict.explanation


def test_no_traffic_is_inconclusive_never_pass(aws: Aws, stack: Stack) -> None:
    verdict = run(aws, stack, blue_fails_every=None, green_fails_every=None, requests=0)
    assert verdict.outcome == "inconclusive"
    assert "no traffic on green" in verdict.explanation


def published(cloudwatch: Any, metric_name: str, target_group: str) -> list[float]:
    query: Any = {
        "Id": "q",
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ApplicationELB",
                "MetricName": metric_name,
                "Dimensions": [
                    {"Name": "LoadBalancer", "Value": "app/lb/0a"},
                    {"Name": "TargetGroup", "Value": target_group},
                ],
            },
            "Period": 60,
            "Stat": "SampleCount" if metric_name == "TargetResponseTime" else "Sum",
        },
    }
    epoch = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[query], StartTime=epoch, EndTime=epoch + timedelta(minutes=3), ScanBy="TimestampAscending"
    )
    return list(answer["MetricDataResults"][0]["Values"])


def test_no_5xx_datapoint_without_5xx_and_every_response_time_published(aws: Aws) -> None:
    moto_patches.apply()
    clock = ManualClock(time=0.0)
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    metrics = AlbMetrics(
        lambda: cloudwatch,
        "app/lb/0a",
        {"arn:tg": "targetgroup/quiet/0b"},
        clock=clock,
        epoch=datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    )
    for index in range(400):  # 400 distinct response times: more than 150 values in one datum
        metrics.record("arn:tg", 200, index / 10_000)
    metrics.record("not-a-target-group-of-the-stack", 500, 0.1)  # ignored
    assert metrics.flush() == 0  # the period in progress is not published
    clock.time += 60
    assert metrics.flush() == 1
    assert published(cloudwatch, "RequestCount", "targetgroup/quiet/0b") == [400.0]
    assert published(cloudwatch, "HTTPCode_Target_5XX_Count", "targetgroup/quiet/0b") == []
    assert published(cloudwatch, "TargetResponseTime", "targetgroup/quiet/0b") == [400.0]
