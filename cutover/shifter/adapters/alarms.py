"""CloudWatch alarm states."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cutover.shifter.logic.traffic import AlarmStatus

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

_BATCH = 100  # DescribeAlarms takes at most 100 names


class CloudWatchAlarms:
    """Bound to one cloudwatch client, created once per cold start (adapters/aws_clients.py)."""

    def __init__(self, client: CloudWatchClient) -> None:
        self._client = client

    def alarm_states(self, names: Sequence[str]) -> dict[str, AlarmStatus]:
        """Name → state (OK, ALARM, INSUFFICIENT_DATA) and its StateReason, for the alarms that exist.

        DescribeAlarms applies one filter only: with AlarmNames, StateValue is ignored, so
        states are filtered by the caller in code."""
        states: dict[str, AlarmStatus] = {}
        unique = list(dict.fromkeys(names))
        for start in range(0, len(unique), _BATCH):
            paginator = self._client.get_paginator("describe_alarms")
            for page in paginator.paginate(
                AlarmNames=unique[start : start + _BATCH], AlarmTypes=["MetricAlarm", "CompositeAlarm"]
            ):
                for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                    states[alarm["AlarmName"]] = AlarmStatus(alarm["StateValue"], alarm.get("StateReason", ""))
        return states
