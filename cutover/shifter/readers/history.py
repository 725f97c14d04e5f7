"""The deployment history of one service, newest first, every page of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.readers.table_keys import HISTORY_PREFIX, service_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import PaginatorConfigTypeDef


def read_history(
    client: DynamoDBClient, table_name: str, service: str, limit: int | None = None, page_size: int | None = None
) -> list[HistoryRecord]:
    """At most `limit` records (all when None), newest first.

    The sort key starts with the ISO 8601 start time, and ScanIndexForward=false returns a
    partition's items in descending sort-key order; one Query returns at most 1 MB (or `Limit`
    items), then a LastEvaluatedKey to continue from, which the paginator follows:
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html"""
    pagination: PaginatorConfigTypeDef = {}
    if limit is not None:
        pagination["MaxItems"] = limit
    if page_size is not None:
        pagination["PageSize"] = page_size
    pages = client.get_paginator("query").paginate(
        TableName=table_name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": service_key(service)}, ":prefix": {"S": HISTORY_PREFIX}},
        ScanIndexForward=False,
        PaginationConfig=pagination,
    )
    return [HistoryRecord.model_validate_json(item["record"]["S"]) for page in pages for item in page["Items"]]
