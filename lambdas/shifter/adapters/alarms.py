"""CloudWatch alarm states."""

from __future__ import annotations

from collections.abc import Sequence

from shifter.adapters import aws_clients
from shifter.logic.traffic import AlarmStatus

_BATCH = 100  # DescribeAlarms takes at most 100 names


def alarm_states(names: Sequence[str]) -> dict[str, AlarmStatus]:
    """Name → state (OK, ALARM, INSUFFICIENT_DATA) and its StateReason, for the alarms that exist.

    DescribeAlarms applies one filter only: with AlarmNames, StateValue is ignored, so
    states are filtered by the caller in code."""
    states: dict[str, AlarmStatus] = {}
    unique = list(dict.fromkeys(names))
    for start in range(0, len(unique), _BATCH):
        paginator = aws_clients.cloudwatch().get_paginator("describe_alarms")
        for page in paginator.paginate(
            AlarmNames=unique[start : start + _BATCH], AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        ):
            for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                states[alarm["AlarmName"]] = AlarmStatus(alarm["StateValue"], alarm.get("StateReason", ""))
    return states
