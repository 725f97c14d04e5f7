"""The workflow Lambda as deployed: its environment parsed, its boto3 clients made by
aws_clients (here on moto's DynamoDB), and an AWS throttle turned into the named error the
state machine retries (cutover/cdk/traffic_shifter.py) while a held lock is not retried."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from cutover.local.lambda_runtime import LambdaContext
from cutover.shifter.adapters import aws_clients
from cutover.shifter.handlers import workflow
from cutover.shifter.logic.errors import DeploymentInProgress, TransientAwsError
from cutover.shifter.readers.lock import read_lock
from tests.unit.shifter.adapters.aws_answers import answer_with_error
from tests.unit.shifter.fakes.context import ENVIRONMENT

FIRST = "arn:aws:states:eu-west-1:123456789012:execution:shifter:deploy-1"
SECOND = "arn:aws:states:eu-west-1:123456789012:execution:shifter:deploy-2"


pytestmark = pytest.mark.usefixtures("lambda_environment")  # the deployed handler, configured


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    context: Any = LambdaContext("workflow", "arn:aws:lambda:eu-west-1:123456789012:function:workflow")
    result: dict[str, Any] = workflow.handler(event, context)
    return result


def validated(execution: str) -> dict[str, Any]:
    return invoke({"step": "validate", "execution": execution, "input": {"image": "app:v2", "reason": "release"}})


def test_the_handler_takes_the_lock_in_the_configured_table() -> None:
    state = validated(FIRST)
    invoke({"step": "acquire_lock", "execution": FIRST, "state": state})
    lock = read_lock(aws_clients.dynamodb(), ENVIRONMENT.table_name, ENVIRONMENT.service_name)
    assert lock is not None and lock.owner == FIRST and lock.details["image"] == "app:v2"


def test_a_throttled_call_becomes_the_retried_error_and_a_held_lock_does_not() -> None:
    invoke({"step": "acquire_lock", "execution": FIRST, "state": validated(FIRST)})
    second = validated(SECOND)
    with pytest.raises(DeploymentInProgress):  # not retried: the state machine reports it
        invoke({"step": "acquire_lock", "execution": SECOND, "state": second})

    answer_with_error(aws_clients.dynamodb(), "PutItem", "ProvisionedThroughputExceededException")
    with pytest.raises(TransientAwsError, match=r"^acquire_lock: ") as raised:
        invoke({"step": "acquire_lock", "execution": SECOND, "state": second})
    assert isinstance(raised.value.__cause__, ClientError)
