"""Completing or failing a Step Functions task that waits on a task token."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from shifter.adapters import aws_clients

# The token belongs to a task that already finished (or timed out): nothing to do.
_GONE = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


def succeed(token: str, output: dict[str, Any]) -> bool:
    try:
        aws_clients.stepfunctions().send_task_success(taskToken=token, output=json.dumps(output))
    except ClientError as error:
        if error.response["Error"]["Code"] in _GONE:
            return False
        raise
    return True


def fail(token: str, error_name: str, cause: str) -> bool:
    try:
        aws_clients.stepfunctions().send_task_failure(taskToken=token, error=error_name, cause=cause[:32_768])
    except ClientError as error:
        if error.response["Error"]["Code"] in _GONE:
            return False
        raise
    return True
