"""boto3 clients, created once per process, with adaptive retries.

Adaptive retry mode backs off on throttling and 5xx inside each call; the state
machine's Retry adds a second, coarser layer around whole steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_stepfunctions import SFNClient

RETRIES = Config(
    retries={"mode": "adaptive", "max_attempts": 8},
    connect_timeout=5,
    read_timeout=20,
    user_agent_extra="cutover-shifter",
)


ClientFactory = Callable[[str], Any]  # service name → boto3 client

# Called with each new client (e.g. the bench registers a call counter on its events).
client_hooks: list[Callable[[Any], None]] = []


@cache
def _client(service: str) -> Any:
    created = boto3.client(service, config=RETRIES)  # type: ignore[call-overload]
    for hook in client_hooks:
        hook(created)
    return created


def client(service: str) -> Any:
    """The cold start's client for `service` (late-bound, so the harness may swap `_client`)."""
    return _client(service)


def reset() -> None:
    """Forget cached clients (tests switch endpoints and credentials between cases)."""
    _client.cache_clear()


@contextmanager
def client_hook(hook: Callable[[Any], None]) -> Iterator[None]:
    """`hook` sees every client made inside the block (the bench's and tests' call counters):
    the clients cached before are forgotten on the way in, as they would not have seen it, and
    the ones that did on the way out."""
    reset()
    client_hooks.append(hook)
    try:
        yield
    finally:
        client_hooks.remove(hook)
        reset()


def elbv2() -> ElasticLoadBalancingv2Client:
    return _client("elbv2")  # type: ignore[no-any-return]


def ecs() -> ECSClient:
    return _client("ecs")  # type: ignore[no-any-return]


def autoscaling() -> ApplicationAutoScalingClient:
    return _client("application-autoscaling")  # type: ignore[no-any-return]


def cloudwatch() -> CloudWatchClient:
    return _client("cloudwatch")  # type: ignore[no-any-return]


def dynamodb() -> DynamoDBClient:
    return _client("dynamodb")  # type: ignore[no-any-return]


def ssm() -> SSMClient:
    return _client("ssm")  # type: ignore[no-any-return]


def sns() -> SNSClient:
    return _client("sns")  # type: ignore[no-any-return]


def stepfunctions() -> SFNClient:
    return _client("stepfunctions")  # type: ignore[no-any-return]


def secretsmanager() -> SecretsManagerClient:
    return _client("secretsmanager")  # type: ignore[no-any-return]
