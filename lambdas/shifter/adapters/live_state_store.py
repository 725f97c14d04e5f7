"""The live state in SSM Parameter Store (contract: docs/live-state.md).

One side's named parameters with GetParameters, the only read the shifter's role grants
(stacks/shifter_functions.py); the CLI and the harness read the whole prefix with
shifter/readers/live_state.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shifter.logic.observed import SideLiveState

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


class LiveStateStore:
    def __init__(self, prefix: str, client: SSMClient) -> None:
        self._client = client
        self.prefix = prefix.rstrip("/")

    def name(self, side: str, key: str) -> str:
        return f"{self.prefix}/{side}/{key}"

    def read(self, side: str) -> SideLiveState:
        names = [self.name(side, key) for key in ("weight", "task-definition", "image", "desired-count")]
        optional = [self.name(side, key) for key in ("min-capacity", "max-capacity")]
        found = self._client.get_parameters(Names=names + optional)
        values = {p["Name"].rsplit("/", 1)[1]: p["Value"] for p in found["Parameters"]}
        missing = [n for n in names if n.rsplit("/", 1)[1] not in values]
        if missing:
            raise LookupError(f"live-state parameters missing: {', '.join(missing)} (was the stack deployed?)")
        return SideLiveState(
            weight=int(values["weight"]),
            task_definition=values["task-definition"],
            image=values["image"],
            desired_count=int(values["desired-count"]),
            min_capacity=int(values["min-capacity"]) if "min-capacity" in values else None,
            max_capacity=int(values["max-capacity"]) if "max-capacity" in values else None,
        )

    def write(self, side: str, values: dict[str, str | int]) -> None:
        """Record values for one side; keys as in the contract (weight, task-definition, …)."""
        for key, value in values.items():
            self._client.put_parameter(Name=self.name(side, key), Value=str(value), Type="String", Overwrite=True)
