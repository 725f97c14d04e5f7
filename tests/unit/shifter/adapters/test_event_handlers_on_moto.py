"""The alarm and execution-status Lambdas as deployed, on moto: an EventBridge event in, the
lock in DynamoDB and the bake's task token as they react (their decisions on the fakes:
tests/unit/shifter/test_event_handlers_with_fakes.py)."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.local.lambda_runtime import LambdaContext
from cutover.shifter.adapters import aws_clients
from cutover.shifter.adapters.deployment_table import DeploymentTable
from cutover.shifter.handlers import alarm_event, execution_event
from cutover.shifter.readers.lock import read_lock
from tests.unit.shifter.fakes.context import ENVIRONMENT
from tests.unit.shifter.readers.moto_clients import calls

pytestmark = pytest.mark.usefixtures("lambda_environment")

EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:shifter:deploy-1"


def lambda_context(name: str) -> Any:
    return LambdaContext(name, f"arn:aws:lambda:eu-west-1:123456789012:function:{name}")


def deploying_to_green(task_token: str | None) -> DeploymentTable:
    table = DeploymentTable(ENVIRONMENT.table_name, ENVIRONMENT.service_name, aws_clients.dynamodb())
    table.acquire(EXECUTION, "2026-12-06T02:00:00+00:00", now=1_000, expires_at=2_000_000_000, details={})
    table.update_lock(EXECUTION, {"new_side": "green", "task_token": task_token})
    return table


def test_an_alarm_of_the_new_side_fails_the_waiting_bake_through_step_functions() -> None:
    deploying_to_green("token-1")
    failed = calls(aws_clients.stepfunctions(), "SendTaskFailure")
    event = {
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "time": "2026-12-06T02:05:00Z",
        "detail": {"alarmName": "green-5xx", "state": {"value": "ALARM", "reason": "5xx above 1 %"}},
    }
    assert alarm_event.handler(event, lambda_context("alarm-event")) == {"action": "rollback", "alarm": "green-5xx"}
    assert [(call["taskToken"], call["error"]) for call in failed] == [("token-1", "AlarmFired")]
    lock = read_lock(aws_clients.dynamodb(), ENVIRONMENT.table_name, ENVIRONMENT.service_name)
    assert lock is not None and lock.trigger == "green-5xx in ALARM on green: 5xx above 1 %"


def test_a_failed_execution_releases_its_lock_in_the_table() -> None:
    deploying_to_green(None)
    event = {
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "detail": {"executionArn": EXECUTION, "status": "FAILED"},
    }
    assert execution_event.handler(event, lambda_context("execution-event")) == {
        "action": "released",
        "status": "FAILED",
    }
    assert read_lock(aws_clients.dynamodb(), ENVIRONMENT.table_name, ENVIRONMENT.service_name) is None
