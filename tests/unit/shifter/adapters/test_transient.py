"""Which failures the state machine retries: throttling, 5xx and lost connections, nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from cutover.shifter.adapters.transient import is_transient
from cutover.shifter.logic.errors import DeploymentInProgress


def client_error(code: str, status: int) -> ClientError:
    response: Any = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "UpdateService")


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (client_error("ThrottlingException", 400), True),
        (client_error("ProvisionedThroughputExceededException", 400), True),
        (client_error("ServiceUnavailable", 503), True),
        (EndpointConnectionError(endpoint_url="https://ecs.eu-west-1.amazonaws.com"), True),
        (ReadTimeoutError(endpoint_url="https://ecs.eu-west-1.amazonaws.com"), True),
        (client_error("AccessDeniedException", 400), False),
        (client_error("ConditionalCheckFailedException", 400), False),
        (DeploymentInProgress("another deployment holds the lock"), False),
        (ValueError("bad input"), False),
    ],
)
def test_only_throttling_server_errors_and_lost_connections_are_retried(error: Exception, retried: bool) -> None:
    assert is_transient(error) is retried
