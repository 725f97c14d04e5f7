"""Clients on moto, and what they send.

What moto does not show, the requests our readers send (ConsistentRead, how many pages), is
recorded with botocore's own event hooks on the client: nothing of ours is replaced."""

from __future__ import annotations

from typing import Any

import boto3

REGION = "eu-west-1"
# What moto's clients need in the environment: a region and credentials that are never real.
MOTO_ENVIRONMENT = {"AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)  # type: ignore[call-overload]


def calls(boto_client: Any, operation: str) -> list[dict[str, Any]]:
    """Every request's parameters for `operation`, as the client sends them (appended live)."""
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    service = boto_client.meta.service_model.service_id.hyphenize()
    boto_client.meta.events.register(f"provide-client-params.{service}.{operation}", record)
    return sent
