"""Create-once SSM parameters for the capacity seeds (docs/live-state.md, "seeded once")."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


class StaleParameter(RuntimeError):
    """The parameter exists although this stack never created it (left by an earlier stack)."""


class SsmParameterSeeds:
    """Bound to one ssm client, created once per cold start (adapters/aws_clients.py)."""

    def __init__(self, client: SSMClient) -> None:
        self._client = client

    def read_int(self, name: str) -> int:
        value = self._client.get_parameter(Name=name)["Parameter"]["Value"]
        return int(value)

    def create(self, name: str, value: int) -> None:
        """PutParameter with Overwrite false: ParameterAlreadyExists if the name exists (SSM API)."""
        try:
            self._client.put_parameter(Name=name, Value=str(value), Type="String", Overwrite=False)
        except self._client.exceptions.ParameterAlreadyExists:
            raise StaleParameter(
                f"{name} already exists: a stale live state from an earlier stack (delete it, then deploy again)"
            ) from None

    def delete(self, name: str) -> None:
        with contextlib.suppress(self._client.exceptions.ParameterNotFound):
            self._client.delete_parameter(Name=name)
