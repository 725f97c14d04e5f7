"""The history reader: newest first, every page, typed; written by the shifter's own writer."""

from __future__ import annotations

import json
from typing import Any

from cutover.shifter.adapters.deployment_table import DeploymentTable
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.readers.history import read_history
from tests.unit.shifter.readers.moto_clients import calls
from tests.unit.shifter.readers.test_lock import TABLE, deployment_table

RECORDS = 25


def record(index: int) -> HistoryRecord:
    return HistoryRecord(
        service="demo",
        execution=f"arn:aws:states:eu-west-1:123456789012:execution:shifter:deploy-{index:02d}",
        started_at=f"2026-12-03T10:{index:02d}:00+00:00",
        image=f"app:v{index}",
        from_side="blue" if index % 2 else "green",
        to_side="green" if index % 2 else "blue",
        outcome="SUCCEEDED",
    )


def written(count: int) -> tuple[DeploymentTable, Any]:
    dynamodb = deployment_table()
    table = DeploymentTable(TABLE, "demo", dynamodb)
    for index in (7, 3, *range(count)):  # out of order, and two rewritten (RUNNING, then the outcome)
        table.record_history(record(index).started_at, f"deploy-{index:02d}", record(index))
    table.acquire("arn:owner", "2026-12-03T11:00:00+00:00", now=0, expires_at=1, details={})  # not history
    return table, dynamodb


def test_every_page_is_read_newest_first() -> None:
    """More records than a page: Query stops at `Limit` (AWS: also at 1 MB) with a
    LastEvaluatedKey, and the reader follows it."""
    _, dynamodb = written(RECORDS)
    sent = calls(dynamodb, "Query")
    history = read_history(dynamodb, TABLE, "demo", page_size=10)
    assert [r.image for r in history] == [f"app:v{i}" for i in reversed(range(RECORDS))]
    assert len(sent) == 3  # 10 + 10 + 5
    assert all(call["ScanIndexForward"] is False for call in sent)


def test_a_limit_returns_the_newest_across_pages() -> None:
    table, dynamodb = written(RECORDS)
    history = read_history(dynamodb, TABLE, "demo", limit=12, page_size=5)
    assert [r.image for r in history] == [f"app:v{i}" for i in range(24, 12, -1)]
    assert table.history(limit=3) == [record(24), record(23), record(22)]


def test_a_record_from_an_older_shifter_reads_with_defaults() -> None:
    """Before `action` and `previous_task_definition` were kept, a record had neither."""
    dynamodb = deployment_table()
    old = {"service": "demo", "execution": "arn:old", "started_at": "2025-01-01T00:00:00+00:00", "outcome": "SUCCEEDED"}
    dynamodb.put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": "SERVICE#demo"},
            "sk": {"S": "DEPLOYMENT#2025-01-01T00:00:00+00:00#old"},
            "record": {"S": json.dumps({**old, "retired_field": 1})},
        },
    )
    (read,) = DeploymentTable(TABLE, "demo", dynamodb).history()
    assert (read.action, read.previous_task_definition, read.steps) == ("deploy", None, ())
