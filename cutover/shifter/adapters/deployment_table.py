"""DynamoDB: the per-service deployment lock and the deployment history (the lock item's
attributes: cutover.shifter.contract.LockAttribute; shifter/readers/lock.py reads them)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError

from cutover.shifter.contract import LockAttribute
from cutover.shifter.logic.errors import DeploymentInProgress
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.readers.history import read_history
from cutover.shifter.readers.lock import Lock, read_lock
from cutover.shifter.readers.table_keys import history_sort_key, lock_key, service_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


# Lock attributes appear in expressions as `#name` placeholders only (`_names` maps them).
OWNED: Final = "#owner = :owner"  # the caller holds the lock
NOT_QUARANTINED: Final = "(attribute_not_exists(#quarantined) OR #quarantined = :false)"
QUARANTINE: Final = "SET #quarantined = :true, #trigger = :reason REMOVE #expires_at, #task_token"
_PLACEHOLDER: Final = re.compile(r"#(\w+)")


def _names(*expressions: str) -> dict[str, str]:
    """ExpressionAttributeNames for the `#attribute` placeholders the expressions use, each a lock
    attribute (cutover.shifter.contract.LockAttribute), and no other: DynamoDB rejects a request whose
    ExpressionAttributeNames holds a name no expression uses. A placeholder is `#` and
    alphanumerics or `_` ("Expression attribute names (aliases) in DynamoDB",
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ExpressionPlaceholders.html)."""
    return {f"#{name}": LockAttribute(name).value for text in expressions for name in _PLACEHOLDER.findall(text)}


def _conditional(write: Callable[[], object]) -> bool:
    """Run a conditional write; False when its condition did not hold (not an error here)."""
    try:
        write()
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


class DeploymentTable:
    def __init__(self, table_name: str, service: str, client: DynamoDBClient) -> None:
        self._client = client
        self.table_name = table_name
        self.service = service
        self.key = lock_key(service)

    def get_lock(self) -> Lock | None:
        return read_lock(self._client, self.table_name, self.service)

    def acquire(self, owner: str, acquired_at: str, now: int, expires_at: int, details: dict[str, Any]) -> None:
        """Take the lock, or an expired one that is not quarantined; idempotent for its owner."""
        try:
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    **self.key,
                    LockAttribute.OWNER.value: {"S": owner},
                    LockAttribute.ACQUIRED_AT.value: {"S": acquired_at},
                    LockAttribute.EXPIRES_AT.value: {"N": str(expires_at)},
                    LockAttribute.DETAILS.value: {"S": json.dumps(details)},
                },
                ConditionExpression=(
                    f"attribute_not_exists(pk) OR {OWNED} OR (#expires_at < :now AND {NOT_QUARANTINED})"
                ),
                ExpressionAttributeNames=_names(OWNED, "#expires_at", NOT_QUARANTINED),
                ExpressionAttributeValues={":owner": {"S": owner}, ":now": {"N": str(now)}, ":false": {"BOOL": False}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            holder = self.get_lock()
            if holder is None:  # released between the write and the read: the caller's retry takes it
                raise DeploymentInProgress("the lock changed hands while it was being taken; retry") from None
            state = (
                "quarantined after an incomplete rollback (run repair)"
                if holder.quarantined
                else (f"since {holder.acquired_at}, expires at epoch {holder.expires_at}")
            )
            raise DeploymentInProgress(f"{holder.owner} holds the deployment lock of {self.service} {state}") from None

    def update_lock(self, owner: str, values: dict[str, str | None]) -> bool:
        """Set (or remove, for None) lock attributes, only while `owner` holds the lock."""
        sets = {k: v for k, v in values.items() if v is not None}
        removes = [k for k, v in values.items() if v is None]
        names = _names("#owner", *(f"#{k}" for k in values))  # a key that is no lock attribute is refused
        expression = ""
        if sets:
            expression += "SET " + ", ".join(f"#{k} = :{k}" for k in sets)
        if removes:
            expression += " REMOVE " + ", ".join(f"#{k}" for k in removes)
        return _conditional(
            lambda: self._client.update_item(
                TableName=self.table_name,
                Key=self.key,
                UpdateExpression=expression.strip(),
                ConditionExpression=OWNED,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={":owner": {"S": owner}} | {f":{k}": {"S": v} for k, v in sets.items()},
            )
        )

    def add_request(self, request: str, trigger: str | None = None) -> str | None:
        """Record a promote/abort request on the running deployment's lock; returns its owner.

        A trigger (the abort's cause) is written in the same UpdateItem: a bake's poll that
        sees the request must also see why, or the rollback's cause loses the reason."""
        values: dict[str, Any] = {":request": {"SS": [request]}}
        expression = "ADD #requests :request"
        if trigger is not None:
            expression += " SET #trigger = :trigger"  # `trigger` is a DynamoDB reserved word
            values[":trigger"] = {"S": trigger}
        try:
            updated = self._client.update_item(
                TableName=self.table_name,
                Key=self.key,
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=values,
                ExpressionAttributeNames=_names(expression),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return updated["Attributes"][LockAttribute.OWNER]["S"]

    def quarantine(self, owner: str, reason: str) -> bool:
        """Keep the lock forever (no expiry; release skips it) until a repair clears it."""
        return _conditional(
            lambda: self._client.update_item(
                TableName=self.table_name,
                Key=self.key,
                UpdateExpression=QUARANTINE,
                ConditionExpression=OWNED,
                ExpressionAttributeNames=_names(QUARANTINE, OWNED),
                ExpressionAttributeValues={":owner": {"S": owner}, ":true": {"BOOL": True}, ":reason": {"S": reason}},
            )
        )

    def take_over_quarantined(self, owner: str, acquired_at: str, details: dict[str, Any]) -> Lock:
        """A repair takes a quarantined lock (or a free one); anything else is in progress."""
        previous = self.get_lock()
        try:
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    **self.key,
                    LockAttribute.OWNER.value: {"S": owner},
                    LockAttribute.ACQUIRED_AT.value: {"S": acquired_at},
                    LockAttribute.QUARANTINED.value: {"BOOL": True},  # stays quarantined until the repair succeeds
                    LockAttribute.DETAILS.value: {
                        "S": json.dumps({**details, "repairs": previous.details if previous else {}})
                    },
                },
                ConditionExpression=f"attribute_not_exists(pk) OR #quarantined = :true OR {OWNED}",
                ExpressionAttributeNames=_names("#quarantined", OWNED),
                ExpressionAttributeValues={":true": {"BOOL": True}, ":owner": {"S": owner}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            holder = self.get_lock()
            who = holder.owner if holder else "another execution"
            raise DeploymentInProgress(
                f"{who} holds the deployment lock and it is not quarantined: nothing to repair"
            ) from None
        return previous or Lock(owner=owner, acquired_at=acquired_at, expires_at=None)

    def release_repaired(self, owner: str) -> bool:
        """A successful repair deletes the lock it took over, quarantined or not."""
        return _conditional(
            lambda: self._client.delete_item(
                TableName=self.table_name,
                Key=self.key,
                ConditionExpression=OWNED,
                ExpressionAttributeNames=_names(OWNED),
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        )

    def release(self, owner: str) -> bool:
        """Delete the lock if `owner` holds it and it is not quarantined; False otherwise."""
        return _conditional(
            lambda: self._client.delete_item(
                TableName=self.table_name,
                Key=self.key,
                ConditionExpression=f"{OWNED} AND {NOT_QUARANTINED}",
                ExpressionAttributeNames=_names(OWNED, NOT_QUARANTINED),
                ExpressionAttributeValues={":owner": {"S": owner}, ":false": {"BOOL": False}},
            )
        )

    def record_history(self, started_at: str, execution_name: str, record: HistoryRecord) -> None:
        self._client.put_item(
            TableName=self.table_name,
            Item={
                "pk": {"S": service_key(self.service)},
                "sk": {"S": history_sort_key(started_at, execution_name)},
                "record": {"S": record.model_dump_json()},
                "outcome": {"S": record.outcome},
            },
        )

    def history(self, limit: int = 20) -> list[HistoryRecord]:
        return read_history(self._client, self.table_name, self.service, limit)
