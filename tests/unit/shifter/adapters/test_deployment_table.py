"""The deployment lock's conditional writes against moto's DynamoDB (the project's key schema:
cutover/local/deployment_table.py): who may take, change, quarantine and release it."""

from __future__ import annotations

import re

import pytest

from cutover.shifter.adapters.deployment_table import DeploymentTable
from cutover.shifter.adapters.transient import is_transient
from cutover.shifter.logic.errors import DeploymentInProgress
from cutover.shifter.logic.history import HistoryRecord
from tests.unit.shifter.adapters.aws_answers import answer_with_error
from tests.unit.shifter.readers.test_lock import TABLE, deployment_table

FIRST = "arn:aws:states:eu-west-1:123456789012:execution:shifter:deploy-1"
SECOND = "arn:aws:states:eu-west-1:123456789012:execution:shifter:deploy-2"
AT = "2026-12-03T10:00:00+00:00"


def table() -> DeploymentTable:
    return DeploymentTable(TABLE, "demo", deployment_table())


def test_a_held_lock_refuses_another_owner_but_is_idempotent_for_its_own() -> None:
    lock = table()
    lock.acquire(FIRST, AT, now=1_000, expires_at=5_000, details={})
    lock.acquire(FIRST, AT, now=1_001, expires_at=5_001, details={})  # a retried step
    held_since = f"{FIRST} holds the deployment lock of demo since {AT}, expires at epoch 5001"
    with pytest.raises(DeploymentInProgress, match=re.escape(held_since)):
        lock.acquire(SECOND, AT, now=2_000, expires_at=6_000, details={})
    held = lock.get_lock()
    assert held is not None and (held.owner, held.expires_at) == (FIRST, 5_001)


def test_an_expired_lock_is_taken_over_unless_quarantined() -> None:
    lock = table()
    lock.acquire(FIRST, AT, now=1_000, expires_at=5_000, details={})
    lock.acquire(SECOND, AT, now=5_001, expires_at=9_000, details={"image": "app:v3"})
    held = lock.get_lock()
    assert held is not None and held.owner == SECOND

    assert lock.quarantine(SECOND, "rollback incomplete: green still at 2 tasks")
    assert not lock.quarantine(FIRST, "not the owner")
    quarantined = lock.get_lock()
    assert quarantined is not None and quarantined.quarantined and quarantined.expires_at is None
    assert quarantined.trigger == "rollback incomplete: green still at 2 tasks"
    with pytest.raises(DeploymentInProgress, match="quarantined after an incomplete rollback"):
        lock.acquire(FIRST, AT, now=99_999, expires_at=100_000, details={})
    assert not lock.release(SECOND)  # release skips a quarantined lock
    assert lock.get_lock() is not None


def test_only_the_owner_updates_and_releases() -> None:
    lock = table()
    lock.acquire(FIRST, AT, now=1_000, expires_at=5_000, details={})
    assert lock.update_lock(FIRST, {"phase": "shifted:10", "new_side": "green"})
    assert not lock.update_lock(SECOND, {"phase": "hijacked"})
    assert lock.update_lock(FIRST, {"new_side": None, "phase": "finishing"})
    held = lock.get_lock()
    assert held is not None and (held.phase, held.new_side) == ("finishing", None)

    assert not lock.release(SECOND)
    assert lock.release(FIRST)
    assert lock.get_lock() is None
    assert not lock.release(FIRST)


def test_a_request_needs_a_running_deployment_and_names_its_owner() -> None:
    lock = table()
    assert lock.add_request("promote") is None
    lock.acquire(FIRST, AT, now=1_000, expires_at=5_000, details={})
    assert lock.add_request("promote") == FIRST
    assert lock.add_request("abort", trigger="an operator aborted") == FIRST
    held = lock.get_lock()
    assert held is not None and set(held.requests) == {"promote", "abort"}
    assert held.trigger == "an operator aborted"


def test_a_repair_takes_over_only_a_quarantined_or_free_lock_and_keeps_what_it_repairs() -> None:
    lock = table()
    taken = lock.take_over_quarantined(SECOND, AT, {"action": "repair"})
    assert (taken.owner, taken.expires_at) == (SECOND, None)  # a free lock: nothing to repair
    assert lock.release_repaired(SECOND)

    lock.acquire(FIRST, AT, now=1_000, expires_at=5_000, details={"image": "app:v2"})
    not_quarantined = f"{FIRST} holds the deployment lock and it is not quarantined"
    with pytest.raises(DeploymentInProgress, match=re.escape(not_quarantined)):
        lock.take_over_quarantined(SECOND, AT, {"action": "repair"})

    lock.quarantine(FIRST, "rollback incomplete")
    previous = lock.take_over_quarantined(SECOND, AT, {"action": "repair"})
    assert previous.owner == FIRST and previous.quarantined
    held = lock.get_lock()
    assert held is not None and held.owner == SECOND and held.quarantined
    assert held.details == {"action": "repair", "repairs": {"image": "app:v2"}}
    assert not lock.release_repaired(FIRST)
    assert lock.release_repaired(SECOND)
    assert lock.get_lock() is None


def test_history_reads_back_newest_first() -> None:
    lock = table()
    for minute, name in ((1, "deploy-1"), (2, "deploy-2")):
        started = f"2026-12-03T10:0{minute}:00+00:00"
        record = HistoryRecord(service="demo", execution=name, started_at=started, image=f"app:v{minute}")
        lock.record_history(started, name, record)
    assert [r.execution for r in lock.history()] == ["deploy-2", "deploy-1"]


def test_throttled_writes_surface_as_transient_errors_not_as_a_held_lock() -> None:
    """A throttled conditional write is not "the condition failed": it must reach the state
    machine's retry, never read as someone else holding the lock."""
    lock = DeploymentTable(TABLE, "demo", client := deployment_table())
    answer_with_error(client, "PutItem", "ProvisionedThroughputExceededException")
    answer_with_error(client, "UpdateItem", "ThrottlingException")
    answer_with_error(client, "DeleteItem", "InternalServerError", status=500)
    attempts = (
        lambda: lock.acquire(FIRST, AT, now=1_000, expires_at=5_000, details={}),
        lambda: lock.take_over_quarantined(FIRST, AT, {}),
        lambda: lock.update_lock(FIRST, {"phase": "x"}),
        lambda: lock.add_request("abort"),
        lambda: lock.release(FIRST),
    )
    for attempt in attempts:
        with pytest.raises(Exception) as raised:
            attempt()
        assert is_transient(raised.value), raised.value
        assert not isinstance(raised.value, DeploymentInProgress)
