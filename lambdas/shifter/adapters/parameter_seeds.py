"""Create-once SSM parameters for the capacity seeds (docs/live-state.md, "seeded once")."""

from __future__ import annotations

import contextlib

from shifter.adapters import aws_clients


class StaleParameter(RuntimeError):
    """The parameter exists although this stack never created it (left by an earlier stack)."""


def read_int(name: str) -> int:
    value = aws_clients.ssm().get_parameter(Name=name)["Parameter"]["Value"]
    return int(value)


def create(name: str, value: int) -> None:
    """PutParameter with Overwrite false: ParameterAlreadyExists if the name exists (SSM API)."""
    ssm = aws_clients.ssm()
    try:
        ssm.put_parameter(Name=name, Value=str(value), Type="String", Overwrite=False)
    except ssm.exceptions.ParameterAlreadyExists:
        raise StaleParameter(
            f"{name} already exists: a stale live state from an earlier stack (delete it, then deploy again)"
        ) from None


def delete(name: str) -> None:
    ssm = aws_clients.ssm()
    with contextlib.suppress(ssm.exceptions.ParameterNotFound):
        ssm.delete_parameter(Name=name)
