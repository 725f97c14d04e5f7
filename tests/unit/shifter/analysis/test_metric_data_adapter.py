"""The GetMetricData adapter (shifter/adapters/metric_data.py): every page read, and every way
CloudWatch can fail to answer turned into an inconclusive verdict with the reason.

botocore's Stubber fakes CloudWatch here: it answers what the CloudWatch API reference says
GetMetricData answers (NextToken pages, StatusCode per result, call Messages, Throttling),
which moto never does. Our own adapter and judge run unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cutover.shifter.adapters.metric_data import MAX_PAGES, CloudWatchMetricData
from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import JudgeConfig, Verdict
from tests.unit.shifter.analysis.test_responses import PERIODS, answer, plan


@pytest.fixture
def stubbed() -> Iterator[tuple[CloudWatchMetricData, Stubber]]:
    client = boto3.client("cloudwatch", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield CloudWatchMetricData(client), stubber
        stubber.assert_no_pending_responses()


def verdict(reader: CloudWatchMetricData) -> Verdict:
    return judge(JudgeConfig(), reader.read(plan()))


def test_a_steady_answer_on_one_page_passes(stubbed: tuple[CloudWatchMetricData, Stubber]) -> None:
    reader, stubber = stubbed
    stubber.add_response("get_metric_data", {"MetricDataResults": answer(plan())}, dict(plan().request))
    assert verdict(reader).outcome == "pass"


def test_next_token_pages_are_followed_and_merged(stubbed: tuple[CloudWatchMetricData, Stubber]) -> None:
    reader, stubber = stubbed
    full = answer(plan())
    first: list[Any] = []
    second: list[Any] = []
    for result in full:
        half = len(result["Timestamps"]) // 2
        first.append({**result, "Timestamps": result["Timestamps"][:half], "Values": result["Values"][:half]})
        first[-1]["StatusCode"] = "PartialData"
        second.append({**result, "Timestamps": result["Timestamps"][half:], "Values": result["Values"][half:]})
    stubber.add_response("get_metric_data", {"MetricDataResults": first, "NextToken": "page-2"}, dict(plan().request))
    stubber.add_response("get_metric_data", {"MetricDataResults": second}, {**plan().request, "NextToken": "page-2"})
    samples = reader.read(plan())
    assert samples.new.requests == (3000,) * PERIODS and samples.baseline.requests == (3000,) * PERIODS
    assert judge(JudgeConfig(), samples).outcome == "pass"


@pytest.mark.parametrize("code", ["Throttling", "LimitExceeded"])
def test_throttling_is_inconclusive_with_the_reason(stubbed: tuple[CloudWatchMetricData, Stubber], code: str) -> None:
    reader, stubber = stubbed
    stubber.add_client_error("get_metric_data", service_error_code=code, service_message="Rate exceeded")
    result = verdict(reader)
    assert result.outcome == "inconclusive"
    assert all(m.outcome == "inconclusive" for m in result.metrics)
    assert f"GetMetricData throttled ({code}: Rate exceeded)" in result.explanation


def test_throttled_second_page_is_inconclusive_not_a_pass_on_half_the_data(
    stubbed: tuple[CloudWatchMetricData, Stubber],
) -> None:
    reader, stubber = stubbed
    stubber.add_response("get_metric_data", {"MetricDataResults": answer(plan()), "NextToken": "more"})
    stubber.add_client_error("get_metric_data", service_error_code="Throttling", service_message="Rate exceeded")
    assert verdict(reader).outcome == "inconclusive"


@pytest.mark.parametrize("status", ["PartialData", "Forbidden", "InternalError"])
def test_a_result_not_complete_on_the_last_page_makes_its_metric_inconclusive(
    stubbed: tuple[CloudWatchMetricData, Stubber], status: str
) -> None:
    reader, stubber = stubbed
    results: list[Any] = answer(plan())
    for result in results:
        if result["Id"] == "green_latency_p99":
            result["StatusCode"] = status
            result["Messages"] = [{"Code": status, "Value": "as CloudWatch says"}]
    stubber.add_response("get_metric_data", {"MetricDataResults": results})
    outcomes = {m.metric: m for m in verdict(reader).metrics}
    assert outcomes["latency_p99"].outcome == "inconclusive"
    assert f"green: {status}: {status} as CloudWatch says" in outcomes["latency_p99"].explanation
    assert outcomes["error_rate"].outcome == "pass"


def test_a_call_message_makes_every_metric_inconclusive(stubbed: tuple[CloudWatchMetricData, Stubber]) -> None:
    reader, stubber = stubbed
    message = {"Code": "MaxMetricsExceeded", "Value": "Maximum number of allowed metrics exceeded"}
    stubber.add_response("get_metric_data", {"MetricDataResults": answer(plan()), "Messages": [message]})
    result = verdict(reader)
    assert result.outcome == "inconclusive"
    assert "Maximum number of allowed metrics exceeded" in result.explanation


def test_paging_that_never_ends_is_bounded_and_inconclusive(stubbed: tuple[CloudWatchMetricData, Stubber]) -> None:
    reader, stubber = stubbed
    for page in range(MAX_PAGES):
        stubber.add_response("get_metric_data", {"MetricDataResults": [], "NextToken": f"t{page}"})
    result = verdict(reader)
    assert result.outcome == "inconclusive"
    assert f"still paging after {MAX_PAGES} pages" in result.explanation
