"""The live state in SSM Parameter Store (contract: docs/live-state.md).

One side's named parameters with GetParameters, the only read the shifter's role grants
(cutover/cdk/shifter_functions.py); the CLI and the harness read the whole prefix with
shifter/readers/live_state.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cutover.shifter.contract import LiveKey
from cutover.shifter.logic.observed import SideLiveState

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


class LiveStateStore:
    def __init__(self, prefix: str, client: SSMClient) -> None:
        self._client = client
        self.prefix = prefix.rstrip("/")

    def name(self, side: str, key: str) -> str:
        return f"{self.prefix}/{side}/{key}"

    def read(self, side: str) -> SideLiveState:
        required = (LiveKey.WEIGHT, LiveKey.TASK_DEFINITION, LiveKey.IMAGE, LiveKey.DESIRED_COUNT)
        names = [self.name(side, key) for key in required]
        optional = [self.name(side, key) for key in (LiveKey.MIN_CAPACITY, LiveKey.MAX_CAPACITY)]
        found = self._client.get_parameters(Names=names + optional)
        values = {p["Name"].rsplit("/", 1)[1]: p["Value"] for p in found["Parameters"]}
        missing = [n for n in names if n.rsplit("/", 1)[1] not in values]
        if missing:
            raise LookupError(f"live-state parameters missing: {', '.join(missing)} (was the stack deployed?)")
        minimum, maximum = values.get(LiveKey.MIN_CAPACITY), values.get(LiveKey.MAX_CAPACITY)
        return SideLiveState(
            weight=int(values[LiveKey.WEIGHT]),
            task_definition=values[LiveKey.TASK_DEFINITION],
            image=values[LiveKey.IMAGE],
            desired_count=int(values[LiveKey.DESIRED_COUNT]),
            min_capacity=int(minimum) if minimum is not None else None,
            max_capacity=int(maximum) if maximum is not None else None,
        )

    def write(self, side: str, values: dict[str, str | int]) -> None:
        """Record values for one side; each key a LiveKey (a misspelt one raises, unwritten)."""
        keys = [LiveKey(key) for key in values]
        for key, value in zip(keys, values.values(), strict=True):
            self._client.put_parameter(Name=self.name(side, key), Value=str(value), Type="String", Overwrite=True)
