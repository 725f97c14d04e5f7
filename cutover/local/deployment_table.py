"""The stack's deployment table created directly on moto, for code that runs a handler or a
reader without the whole stack (reader tests, the cold-start bench). Keys as in
cutover/cdk/deployment_table.py: the contract's partition and sort keys, both strings."""

from __future__ import annotations

from typing import Any

from cutover.shifter.contract import TABLE_PARTITION_KEY, TABLE_SORT_KEY


def create_deployment_table(dynamodb: Any, table_name: str) -> None:
    dynamodb.create_table(
        TableName=table_name,
        KeySchema=[
            {"AttributeName": TABLE_PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": TABLE_SORT_KEY, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": TABLE_PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": TABLE_SORT_KEY, "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
