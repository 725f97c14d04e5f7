"""Completing or failing a Step Functions task that waits on a task token."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


# The token belongs to a task that already finished (or timed out): nothing to do.
_GONE = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


class StepFunctionsTaskTokens:
    """Bound to one stepfunctions client, created once per cold start (adapters/aws_clients.py)."""

    def __init__(self, client: SFNClient) -> None:
        self._client = client

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        try:
            self._client.send_task_success(taskToken=token, output=json.dumps(output))
        except ClientError as error:
            if error.response["Error"]["Code"] in _GONE:
                return False
            raise
        return True

    def fail(self, token: str, error_name: str, cause: str) -> bool:
        try:
            self._client.send_task_failure(taskToken=token, error=error_name, cause=cause[:32_768])
        except ClientError as error:
            if error.response["Error"]["Code"] in _GONE:
                return False
            raise
        return True
