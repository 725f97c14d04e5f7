"""SNS deployment notifications: a readable subject, a JSON body."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


# SNS API reference, Publish, Subject: "less than 100 characters long": 99 at most.
SUBJECT_LIMIT = 99


class SnsNotifier:
    """Bound to one sns client, created once per cold start (adapters/aws_clients.py)."""

    def __init__(self, client: SNSClient) -> None:
        self._client = client

    def publish(self, topic_arn: str, subject: str, body: dict[str, Any]) -> None:
        self._client.publish(
            TopicArn=topic_arn,
            Subject=subject[:SUBJECT_LIMIT],
            Message=json.dumps(body, indent=2, sort_keys=True, default=str),
        )
