"""SNS deployment notifications: a readable subject, a JSON body."""

from __future__ import annotations

import json
from typing import Any

from shifter.adapters import aws_clients

SUBJECT_LIMIT = 100  # SNS rejects longer subjects


def publish(topic_arn: str, subject: str, body: dict[str, Any]) -> None:
    aws_clients.sns().publish(
        TopicArn=topic_arn,
        Subject=subject[:SUBJECT_LIMIT],
        Message=json.dumps(body, indent=2, sort_keys=True, default=str),
    )
