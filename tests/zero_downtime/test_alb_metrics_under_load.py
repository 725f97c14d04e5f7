"""The ALB's target-group metrics under production load, read the way the judge reads them.

The router publishes RequestCount, HTTPCode_Target_5XX_Count and TargetResponseTime per target
group every 60 s of the virtual clock (cutover/local/alb_metrics.py) and the judge's now is the
same clock (cutover.shifter.clock.metrics_now): a canary's bake, 6 s of real time here, holds whole
periods the judge can compare. Faked: nothing but what the harness always fakes (time, the ALB's
data plane); the numbers come from the real requests of the load generator."""

from __future__ import annotations

import time

import boto3

from cutover.local.transition_drivers import REGISTRY
from cutover.shifter import clock
from cutover.shifter.adapters.metric_data import CloudWatchMetricData
from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import JudgeConfig, PeriodJudge, RateJudge
from cutover.shifter.logic.analysis.queries import check_windows, metric_data_request
from tests.workflow.conftest import REGION
from tests.zero_downtime.conftest import Stage

PERIODS = 5  # whole 60 s periods to wait for in the bake (Mann-Whitney at 95 % or 98 % needs 4 per side)


def test_a_canary_bake_has_whole_periods_of_both_sides_traffic(stage: Stage) -> None:
    document = {"image": f"{REGISTRY}:v2", "strategy": "canary", "bake_seconds": 900, "termination_wait_seconds": 60}
    arn = stage.local.start(document, "canary-metrics")
    deadline = time.monotonic() + 60
    while not ((lock := stage.local.lock()) is not None and lock.get("task_key") == "step:0"):
        assert time.monotonic() < deadline, "the canary never reached its first bake"
        time.sleep(0.02)
    shifted_at = clock.metrics_now()
    windows = None
    while windows is None or (windows[0].end - windows[0].start).total_seconds() < PERIODS * 60:
        assert time.monotonic() < deadline, "no whole periods in the bake"
        time.sleep(0.1)
        windows = check_windows(clock.metrics_now(), shifted_at, "same-window")
    reader = CloudWatchMetricData(boto3.client("cloudwatch", region_name=REGION))
    request = metric_data_request(JudgeConfig(), stage.plane.targets, "green", windows, "same-window")
    # The publisher flushes a tenth of a period after each period ends: read until the window's
    # last period is there (blue, at 90 %, has requests in every period once it is published).
    samples, published_by = reader.read(request), time.monotonic() + 30
    while not (samples.baseline.requests and all(count > 0 for count in samples.baseline.requests)):
        assert time.monotonic() < published_by, ("the window's periods never all reached CloudWatch", samples)
        time.sleep(0.05)
        samples = reader.read(request)
    stage.local.run({"action": "abort"}, "abort")
    assert stage.local.wait(arn).error == "DeploymentRolledBack"

    green, blue = sum(samples.new.requests), sum(samples.baseline.requests)
    assert green > 0 and blue > 0, samples
    assert 0.03 <= green / (green + blue) <= 0.2, (green, blue)  # the canary's 10 %
    assert sum(samples.new.errors) == sum(samples.baseline.errors) == 0
    # 100 requests/s of real time are 1 request per AWS second: ~6 of 60 per period on green.
    # The default judge wants 2,000 requests per side, so at this compression it cannot pass.
    assert judge(JudgeConfig(), samples).outcome == "inconclusive"
    # With minimums for this traffic, the same release on both sides passes its error rate, and
    # latency has a value per period on both sides (p50/p99 from the raw response times).
    small = JudgeConfig(
        error_rate=RateJudge(min_requests=10),
        latency_p50=PeriodJudge(min_requests=10, min_periods=PERIODS - 1),
        latency_p99=PeriodJudge(min_requests=10, min_periods=PERIODS - 1),
    )
    verdict = judge(small, samples)
    by_metric = {metric.metric: metric for metric in verdict.metrics}
    assert by_metric["error_rate"].outcome == "pass", by_metric["error_rate"].explanation
    assert (
        by_metric["latency_p99"].new.periods >= PERIODS - 1 and by_metric["latency_p99"].baseline.periods >= PERIODS - 1
    )
