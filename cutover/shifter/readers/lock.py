"""The deployment lock item, read strongly consistently.

Lock item (pk SERVICE#<service>, sk LOCK; attribute names: cutover.shifter.contract.LockAttribute):
owner (execution ARN), acquired_at,
expires_at (epoch seconds), and while a deployment runs: task_token (the bake task
waiting for an alarm event), new_side, phase, requests (promote/abort) and trigger
(what failed the token: moto and the console drop a task failure's cause, so the
rollback reads it here), paused_key (the bake the judge paused for a promote: a promote ends it at
once, steps/signals.py), and bake_notes (the running bake's timeline notes, the judge's
verdicts: a bake that fails hands its state back without them, so the rollback reads them here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cutover.shifter.contract import LockAttribute
from cutover.shifter.readers.table_keys import lock_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True)
class Lock:
    owner: str
    acquired_at: str
    expires_at: int | None  # None once quarantined: a quarantined lock never expires
    quarantined: bool = False
    task_token: str | None = None
    task_key: str | None = None  # which bake the token belongs to
    new_side: str | None = None
    phase: str | None = None
    trigger: str | None = None
    requests: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    bake_notes: dict[str, Any] | None = None  # {"bake": key, "notes": [timeline events]}
    paused_key: str | None = None  # the bake the judge paused for a promote (its task_key)


def lock_from_item(item: dict[str, Any]) -> Lock:
    def text(name: LockAttribute) -> str | None:
        return item[name]["S"] if name in item else None

    return Lock(
        owner=item[LockAttribute.OWNER]["S"],
        acquired_at=item[LockAttribute.ACQUIRED_AT]["S"],
        expires_at=int(item[LockAttribute.EXPIRES_AT]["N"]) if LockAttribute.EXPIRES_AT in item else None,
        quarantined=item.get(LockAttribute.QUARANTINED, {}).get("BOOL", False),
        task_token=text(LockAttribute.TASK_TOKEN),
        task_key=text(LockAttribute.TASK_KEY),
        new_side=text(LockAttribute.NEW_SIDE),
        phase=text(LockAttribute.PHASE),
        trigger=text(LockAttribute.TRIGGER),
        requests=tuple(item[LockAttribute.REQUESTS]["SS"]) if LockAttribute.REQUESTS in item else (),
        details=json.loads(item[LockAttribute.DETAILS]["S"]) if LockAttribute.DETAILS in item else {},
        bake_notes=json.loads(item[LockAttribute.BAKE_NOTES]["S"]) if LockAttribute.BAKE_NOTES in item else None,
        paused_key=text(LockAttribute.PAUSED_KEY),
    )


def read_lock_item(client: DynamoDBClient, table_name: str, service: str) -> dict[str, Any] | None:
    """The raw item. GetItem is eventually consistent unless ConsistentRead is set, and a lock
    read just after a write (acquire, a request, a release) must see that write:
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html"""
    response = client.get_item(TableName=table_name, Key=lock_key(service), ConsistentRead=True)
    item: dict[str, Any] | None = response.get("Item")
    return item


def read_lock(client: DynamoDBClient, table_name: str, service: str) -> Lock | None:
    item = read_lock_item(client, table_name, service)
    return lock_from_item(item) if item else None
