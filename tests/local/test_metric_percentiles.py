"""Local AWS answers GetMetricData's percentile statistics from the raw values a metric was
published with (cutover/local/metric_percentiles.py); moto 5.2.5 alone raises TypeError."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from cutover.local import moto_patches
from cutover.local.metric_percentiles import nearest_rank

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DIMENSIONS: Any = [{"Name": "TargetGroup", "Value": "targetgroup/green/0123"}]
METRIC: dict[str, Any] = {
    "Namespace": "AWS/ApplicationELB",
    "MetricName": "TargetResponseTime",
    "Dimensions": [{"Name": "TargetGroup", "Value": "targetgroup/green/0123"}],
}


@pytest.fixture
def cloudwatch() -> Iterator[CloudWatchClient]:
    moto_patches.apply()
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="eu-west-1")


def statistic(cloudwatch: CloudWatchClient, stat: str) -> list[float]:
    query: Any = {"Id": "q", "MetricStat": {"Metric": METRIC, "Period": 60, "Stat": stat}}
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[query],
        StartTime=START,
        EndTime=START + timedelta(minutes=2),
        ScanBy="TimestampAscending",
    )
    return answer["MetricDataResults"][0]["Values"]


def test_percentiles_come_from_the_published_values_and_counts(cloudwatch: CloudWatchClient) -> None:
    # 90 fast requests and 10 slow ones in the first period, one value in the second.
    cloudwatch.put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[
            {
                "MetricName": "TargetResponseTime",
                "Dimensions": DIMENSIONS,
                "Timestamp": START + timedelta(seconds=5),
                "Values": [0.01, 0.5],
                "Counts": [90, 10],
            },
            {
                "MetricName": "TargetResponseTime",
                "Dimensions": DIMENSIONS,
                "Timestamp": START + timedelta(seconds=65),
                "Value": 0.2,
            },
        ],
    )
    assert statistic(cloudwatch, "p50") == [0.01, 0.2]
    assert statistic(cloudwatch, "p90") == [0.01, 0.2]
    assert statistic(cloudwatch, "p99") == [0.5, 0.2]
    assert statistic(cloudwatch, "p99.9") == [0.5, 0.2]
    assert statistic(cloudwatch, "SampleCount") == [100.0, 1.0]  # the basic statistics are moto's own


def test_nearest_rank() -> None:
    assert nearest_rank([3.0, 1.0, 2.0], 50) == 2.0
    assert nearest_rank([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert nearest_rank([1.0, 2.0, 3.0, 4.0], 100) == 4.0
    assert nearest_rank([7.0], 0.1) == 7.0
