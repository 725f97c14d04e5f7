"""Local AWS pages GetExecutionHistory as AWS does (cutover/local/execution_history_pages.py): at
most maxResults events a call (100 by default, 1,000 at most), latest first with reverseOrder, and
a nextToken for the rest that only continues the same listing."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.test_step_functions_quotas import run, sfn  # noqa: F401 - the fixture, with moto's interpreter

PASSES = 60  # 2 + 2 * 60 = 122 events: more than one default page
CHAIN = {
    "StartAt": "Pass0",
    "States": {
        f"Pass{n}": {"Type": "Pass", **({"Next": f"Pass{n + 1}"} if n < PASSES - 1 else {"End": True})}
        for n in range(PASSES)
    },
}


@pytest.fixture
def executed(sfn: Any) -> tuple[Any, str]:  # noqa: F811 - the fixture imported above
    described = run(sfn, CHAIN, "chain")
    assert described["status"] == "SUCCEEDED"
    return sfn, described["executionArn"]


def test_a_call_returns_one_page_and_a_token_and_the_pages_make_the_whole_history(executed: tuple[Any, str]) -> None:
    client, arn = executed
    first = client.get_execution_history(executionArn=arn)
    assert len(first["events"]) == 100 and "nextToken" in first  # the default page
    pages = client.get_paginator("get_execution_history").paginate(executionArn=arn, maxResults=7)
    events = [event for page in pages for event in page["events"]]
    assert [event["id"] for event in events] == list(range(1, 2 * PASSES + 3))
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    last = client.get_execution_history(executionArn=arn, maxResults=1000)
    assert len(last["events"]) == 2 * PASSES + 2 and "nextToken" not in last


def test_reverse_order_returns_the_latest_events_first(executed: tuple[Any, str]) -> None:
    client, arn = executed
    latest = client.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=3)["events"]
    assert [event["type"] for event in latest] == ["ExecutionSucceeded", "PassStateExited", "PassStateEntered"]
    assert [event["id"] for event in latest] == [2 * PASSES + 2, 2 * PASSES + 1, 2 * PASSES]


def test_a_page_over_1000_and_a_token_of_another_listing_are_refused(executed: tuple[Any, str]) -> None:
    client, arn = executed
    with pytest.raises(ClientError) as too_many:
        client.get_execution_history(executionArn=arn, maxResults=1001)
    assert too_many.value.response["Error"]["Code"] == "ValidationException"
    token = client.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=5)["nextToken"]
    for other in ({"reverseOrder": False}, {}):  # "Keep all other arguments unchanged"
        with pytest.raises(ClientError) as wrong:
            client.get_execution_history(executionArn=arn, nextToken=token, **other)
        assert wrong.value.response["Error"]["Code"] == "InvalidToken"
    with pytest.raises(ClientError) as garbled:
        client.get_execution_history(executionArn=arn, nextToken="not-a-token")
    assert garbled.value.response["Error"]["Code"] == "InvalidToken"
