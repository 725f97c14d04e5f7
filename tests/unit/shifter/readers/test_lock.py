"""The lock reader: what the Lambda, the CLI and the harness see of the lock item."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.local.deployment_table import create_deployment_table
from cutover.shifter.adapters.deployment_table import DeploymentTable
from cutover.shifter.readers.lock import Lock, read_lock, read_lock_item
from tests.unit.shifter.readers.moto_clients import calls, client

TABLE = "deployments"
EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:shifter:deploy-1"


def deployment_table() -> Any:
    dynamodb = client("dynamodb")
    create_deployment_table(dynamodb, TABLE)
    return dynamodb


def test_no_lock_item_reads_as_none() -> None:
    assert read_lock(deployment_table(), TABLE, "demo") is None


def test_the_lock_the_shifter_wrote_reads_back_typed() -> None:
    dynamodb = deployment_table()
    table = DeploymentTable(TABLE, "demo", dynamodb)
    table.acquire(EXECUTION, "2026-12-03T10:00:00+00:00", now=1_000, expires_at=5_000, details={"image": "app:v2"})
    table.update_lock(EXECUTION, {"phase": "shifted:10", "new_side": "green"})
    table.add_request("abort", trigger="an operator aborted")

    assert read_lock(dynamodb, TABLE, "demo") == Lock(
        owner=EXECUTION,
        acquired_at="2026-12-03T10:00:00+00:00",
        expires_at=5_000,
        new_side="green",
        phase="shifted:10",
        trigger="an operator aborted",
        requests=("abort",),
        details={"image": "app:v2"},
    )


def test_every_lock_read_is_strongly_consistent() -> None:
    """A read right after a write (acquire, a request, a release) must see it; moto is always
    consistent, so the request itself is what we check."""
    dynamodb = deployment_table()
    sent = calls(dynamodb, "GetItem")
    read_lock(dynamodb, TABLE, "demo")
    read_lock_item(dynamodb, TABLE, "demo")
    DeploymentTable(TABLE, "demo", dynamodb).get_lock()
    assert [call.get("ConsistentRead") for call in sent] == [True, True, True]


def test_a_lock_attribute_the_contract_does_not_name_is_refused_and_nothing_is_written() -> None:
    dynamodb = deployment_table()
    table = DeploymentTable(TABLE, "demo", dynamodb)
    table.acquire(EXECUTION, "2026-12-03T10:00:00+00:00", now=1_000, expires_at=5_000, details={})
    before = read_lock_item(dynamodb, TABLE, "demo")

    with pytest.raises(ValueError, match="tasktoken"):
        table.update_lock(EXECUTION, {"tasktoken": "a-token"})  # task_token, misspelt

    assert read_lock_item(dynamodb, TABLE, "demo") == before
