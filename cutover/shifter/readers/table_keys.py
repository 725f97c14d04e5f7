"""The deployment table's keys: one partition per service, the lock and the history rows in it."""

from __future__ import annotations

from cutover.shifter.contract import TABLE_PARTITION_KEY, TABLE_SORT_KEY

LOCK_SORT_KEY = "LOCK"
HISTORY_PREFIX = "DEPLOYMENT#"


def service_key(service: str) -> str:
    return f"SERVICE#{service}"


def lock_key(service: str) -> dict[str, dict[str, str]]:
    return {TABLE_PARTITION_KEY: {"S": service_key(service)}, TABLE_SORT_KEY: {"S": LOCK_SORT_KEY}}


def history_sort_key(started_at: str, execution_name: str) -> str:
    """ISO 8601 start first, so the sort key orders the history by time."""
    return f"{HISTORY_PREFIX}{started_at}#{execution_name}"
