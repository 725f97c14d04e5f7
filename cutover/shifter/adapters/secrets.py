"""Secrets Manager: the test-route token."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


class SecretsManagerSecrets:
    """Bound to one secretsmanager client, created once per cold start (adapters/aws_clients.py)."""

    def __init__(self, client: SecretsManagerClient) -> None:
        self._client = client

    def secret_string(self, secret_arn: str) -> str:
        return self._client.get_secret_value(SecretId=secret_arn)["SecretString"]
