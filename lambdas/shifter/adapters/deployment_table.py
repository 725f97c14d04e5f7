"""DynamoDB: the per-service deployment lock and the deployment history.

Lock item (pk SERVICE#<service>, sk LOCK): owner (execution ARN), acquired_at,
expires_at (epoch seconds), and while a deployment runs: task_token (the bake task
waiting for an alarm event), new_side, phase, requests (promote/abort) and trigger
(what failed the token: moto and the console drop a task failure's cause, so the
rollback reads it here)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from shifter.adapters import aws_clients
from shifter.logic.errors import DeploymentInProgress

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LOCK_SORT_KEY = "LOCK"


def service_key(service: str) -> str:
    return f"SERVICE#{service}"


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


def _to_lock(item: dict[str, Any]) -> Lock:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    return Lock(
        owner=item["owner"]["S"],
        acquired_at=item["acquired_at"]["S"],
        expires_at=int(item["expires_at"]["N"]) if "expires_at" in item else None,
        quarantined=item.get("quarantined", {}).get("BOOL", False),
        task_token=text("task_token"),
        task_key=text("task_key"),
        new_side=text("new_side"),
        phase=text("phase"),
        trigger=text("trigger"),
        requests=tuple(item["requests"]["SS"]) if "requests" in item else (),
        details=json.loads(item["details"]["S"]) if "details" in item else {},
    )


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
    def __init__(self, table_name: str, service: str, client: DynamoDBClient | None = None) -> None:
        self._client = client or aws_clients.dynamodb()
        self.table_name = table_name
        self.service = service
        self.key = {"pk": {"S": service_key(service)}, "sk": {"S": LOCK_SORT_KEY}}

    def get_lock(self) -> Lock | None:
        item = self._client.get_item(TableName=self.table_name, Key=self.key, ConsistentRead=True).get("Item")
        return _to_lock(item) if item else None

    def acquire(self, owner: str, acquired_at: str, now: int, expires_at: int, details: dict[str, Any]) -> None:
        """Take the lock, or an expired one that is not quarantined; idempotent for its owner."""
        try:
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    **self.key,
                    "owner": {"S": owner},
                    "acquired_at": {"S": acquired_at},
                    "expires_at": {"N": str(expires_at)},
                    "details": {"S": json.dumps(details)},
                },
                ConditionExpression="attribute_not_exists(pk) OR #owner = :owner "
                "OR (expires_at < :now AND (attribute_not_exists(quarantined) OR quarantined = :false))",
                ExpressionAttributeNames={"#owner": "owner"},
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
        names = {f"#{k}": k for k in values} | {"#owner": "owner"}
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
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={":owner": {"S": owner}} | {f":{k}": {"S": v} for k, v in sets.items()},
            )
        )

    def add_request(self, request: str, trigger: str | None = None) -> str | None:
        """Record a promote/abort request on the running deployment's lock; returns its owner.

        A trigger (the abort's cause) is written in the same UpdateItem: a bake's poll that
        sees the request must also see why, or the rollback's cause loses the reason."""
        values: dict[str, Any] = {":request": {"SS": [request]}}
        expression = "ADD requests :request"
        names: dict[str, Any] = {}  # `trigger` is a DynamoDB reserved word; unused names are rejected
        if trigger is not None:
            expression += " SET #trigger = :trigger"
            values[":trigger"] = {"S": trigger}
            names = {"ExpressionAttributeNames": {"#trigger": "trigger"}}
        try:
            updated = self._client.update_item(
                TableName=self.table_name,
                Key=self.key,
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=values,
                **names,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return updated["Attributes"]["owner"]["S"]

    def quarantine(self, owner: str, reason: str) -> bool:
        """Keep the lock forever (no expiry; release skips it) until a repair clears it."""
        return _conditional(
            lambda: self._client.update_item(
                TableName=self.table_name,
                Key=self.key,
                UpdateExpression="SET quarantined = :true, #trigger = :reason REMOVE expires_at, task_token",
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner", "#trigger": "trigger"},
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
                    "owner": {"S": owner},
                    "acquired_at": {"S": acquired_at},
                    "quarantined": {"BOOL": True},  # stays quarantined until the repair succeeds
                    "details": {"S": json.dumps({**details, "repairs": previous.details if previous else {}})},
                },
                ConditionExpression="attribute_not_exists(pk) OR quarantined = :true OR #owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
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
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        )

    def release(self, owner: str) -> bool:
        """Delete the lock if `owner` holds it and it is not quarantined; False otherwise."""
        return _conditional(
            lambda: self._client.delete_item(
                TableName=self.table_name,
                Key=self.key,
                ConditionExpression="#owner = :owner AND (attribute_not_exists(quarantined) OR quarantined = :false)",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}, ":false": {"BOOL": False}},
            )
        )

    def record_history(self, started_at: str, execution_name: str, record: dict[str, Any]) -> None:
        self._client.put_item(
            TableName=self.table_name,
            Item={
                "pk": {"S": service_key(self.service)},
                "sk": {"S": f"DEPLOYMENT#{started_at}#{execution_name}"},
                "record": {"S": json.dumps(record, sort_keys=True, default=str)},
                "outcome": {"S": str(record.get("outcome", "RUNNING"))},
            },
        )

    def history(self, limit: int = 20) -> list[dict[str, Any]]:
        items = self._client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": service_key(self.service)}, ":prefix": {"S": "DEPLOYMENT#"}},
            ScanIndexForward=False,
            Limit=limit,
        )["Items"]
        return [json.loads(item["record"]["S"]) for item in items]
