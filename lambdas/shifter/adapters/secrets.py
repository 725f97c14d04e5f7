"""Secrets Manager: the test-route token."""

from __future__ import annotations

from shifter.adapters import aws_clients


def secret_string(secret_arn: str) -> str:
    return aws_clients.secretsmanager().get_secret_value(SecretId=secret_arn)["SecretString"]
