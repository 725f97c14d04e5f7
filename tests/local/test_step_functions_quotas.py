"""Local AWS enforces Step Functions' quotas as AWS does (cutover/local/step_functions_quotas.py):
the history cap (lowered here so a test reaches it in seconds), the state machine's timeout in
compressed time, and the 256 KiB limit on a state's output."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cutover.local import runtime, step_functions_quotas
from cutover.local.loaded_stack import MOTO_CONFIG

REGION = "eu-west-1"
ROLE = "arn:aws:iam::123456789012:role/states"


@pytest.fixture
def sfn(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    runtime.install(time_scale=0.001)
    with mock_aws(config=MOTO_CONFIG):
        yield boto3.client("stepfunctions", region_name=REGION)


def run(sfn: Any, definition: dict[str, Any], name: str, timeout: float = 30.0) -> dict[str, Any]:
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=name, input="{}")["executionArn"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.02)
    raise TimeoutError(name)


SPIN = {  # a loop with no end: only the history quota stops it
    "StartAt": "Loop",
    "States": {
        "Loop": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "End"}],
            "Default": "Loop",
        },
        "End": {"Type": "Succeed"},
    },
}


def test_an_execution_fails_when_its_history_reaches_the_cap(sfn: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step_functions_quotas.history, "cap", 300)
    described = run(sfn, SPIN, "spin")
    assert described["status"] == "FAILED"
    assert (described["error"], described["cause"]) == (
        "States.Runtime",
        "The execution reached the maximum number of history events (300).",
    )
    events = sfn.get_execution_history(executionArn=described["executionArn"], maxResults=1000)["events"]
    assert len(events) == 300 and events[-1]["type"] == "ExecutionFailed"


def test_the_state_machine_timeout_counts_compressed_waits(sfn: Any) -> None:
    long_wait = {
        "StartAt": "Wait",
        "TimeoutSeconds": 60,
        "States": {"Wait": {"Type": "Wait", "Seconds": 3_600, "End": True}},
    }
    started = time.monotonic()
    described = run(sfn, long_wait, "timeout")
    assert described["status"] == "TIMED_OUT"
    assert time.monotonic() - started < 10  # an hour's wait takes 3.6 s locally; the timeout hit first
    short_wait = {
        "StartAt": "Wait",
        "TimeoutSeconds": 60,
        "States": {"Wait": {"Type": "Wait", "Seconds": 30, "End": True}},
    }
    assert run(sfn, short_wait, "in-time")["status"] == "SUCCEEDED"


def test_a_state_output_over_256_kib_fails_the_state(sfn: Any) -> None:
    big = {
        "StartAt": "Grow",
        "States": {"Grow": {"Type": "Pass", "Result": {"blob": "x" * (256 * 1024)}, "End": True}},
    }
    described = run(sfn, big, "big")
    assert (described["status"], described["error"]) == ("FAILED", "States.DataLimitExceeded")
