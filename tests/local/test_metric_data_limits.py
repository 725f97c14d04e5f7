"""Local AWS refuses the GetMetricData requests AWS refuses (cutover/local/metric_data_limits.py),
and the judge's own counts round-trip through it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from cutover.local import moto_patches
from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.analysis.queries import check_windows, metric_data_request
from cutover.shifter.logic.analysis.responses import samples_from_response
from tests.unit.shifter.analysis.test_queries import SHIFT, TARGETS

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

REGION = "eu-west-1"


@pytest.fixture
def cloudwatch() -> Iterator[CloudWatchClient]:
    moto_patches.apply()
    with mock_aws():
        yield boto3.client("cloudwatch", region_name=REGION)


def sum_query(query_id: str) -> dict[str, Any]:
    metric = {"Namespace": "App", "MetricName": "Orders", "Dimensions": [{"Name": "Side", "Value": "blue"}]}
    return {"Id": query_id, "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Sum"}}


def get(cloudwatch: CloudWatchClient, queries: list[dict[str, Any]]) -> None:
    cloudwatch.get_metric_data(
        MetricDataQueries=queries,  # type: ignore[arg-type]
        StartTime=SHIFT,
        EndTime=SHIFT + timedelta(minutes=5),
    )


def test_500_queries_are_accepted_and_501_refused(cloudwatch: CloudWatchClient) -> None:
    get(cloudwatch, [sum_query(f"q{i}") for i in range(500)])
    with pytest.raises(ClientError, match="at most 500 MetricDataQueries"):
        get(cloudwatch, [sum_query(f"q{i}") for i in range(501)])


@pytest.mark.parametrize(
    ("ids", "reason"),
    [(["Green_requests"], "starting with a lowercase"), (["a-b"], "letters"), (["a", "a"], "not unique")],
)
def test_query_ids_follow_the_documented_pattern(cloudwatch: CloudWatchClient, ids: list[str], reason: str) -> None:
    with pytest.raises(ClientError, match=reason):
        get(cloudwatch, [sum_query(i) for i in ids])


def test_the_judges_counts_round_trip_through_local_cloudwatch(cloudwatch: CloudWatchClient) -> None:
    windows = check_windows(SHIFT + timedelta(minutes=4), SHIFT, "same-window")
    assert windows is not None
    plan = metric_data_request(JudgeConfig(), TARGETS, "green", windows, "same-window")
    start = windows[0].start
    for side, requests in (("green", 3000.0), ("blue", 2900.0)):
        dimensions = [
            {"Name": "LoadBalancer", "Value": TARGETS.load_balancer},
            {"Name": "TargetGroup", "Value": TARGETS.target_groups[side]},  # type: ignore[index]
        ]
        for minute in range(windows[0].periods):
            cloudwatch.put_metric_data(
                Namespace="AWS/ApplicationELB",
                MetricData=[
                    {
                        "MetricName": "RequestCount",
                        "Dimensions": dimensions,  # type: ignore[typeddict-item]
                        "Timestamp": start + timedelta(minutes=minute, seconds=5),
                        "Value": requests,
                    }
                ],
            )
    # The percentile queries stay out: moto 5.2.5 raises on p50/p99 (local AWS will compute
    # them in a later slice). What is left is what the ALB publishes as sums.
    counts = [q for q in plan.request["MetricDataQueries"] if q["MetricStat"]["Stat"] == "Sum"]
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=counts, StartTime=plan.request["StartTime"], EndTime=plan.request["EndTime"]
    )
    samples = samples_from_response(plan, answer["MetricDataResults"])
    assert samples.new.requests == (3000,) * 3 and samples.baseline.requests == (2900,) * 3
    assert samples.new.errors == (0,) * 3  # no HTTPCode_Target_5XX_Count datapoint: 0 errors
