"""The stack's deployment table created directly on moto, for code that runs a handler or a
reader without the whole stack (reader tests, the cold-start bench). Keys as in
stacks/deployment_table.py: pk, sk, both strings."""

from __future__ import annotations

from typing import Any


def create_deployment_table(dynamodb: Any, table_name: str) -> None:
    dynamodb.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
