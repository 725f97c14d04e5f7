"""Every live-state parameter under a prefix (contract: docs/live-state.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


def read_live_state(client: SSMClient, prefix: str) -> dict[str, str]:
    """`<side>/<key>` → value, from every page: GetParametersByPath returns at most 10
    parameters per call (MaxResults 1-10) and a NextToken for the rest:
    https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html"""
    root = prefix.rstrip("/")
    pages = client.get_paginator("get_parameters_by_path").paginate(Path=root, Recursive=True)
    return {p["Name"].removeprefix(root + "/"): p["Value"] for page in pages for p in page["Parameters"]}
