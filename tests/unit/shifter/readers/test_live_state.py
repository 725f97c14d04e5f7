"""The live-state reader (CLI and harness): every parameter under the prefix, every page."""

from __future__ import annotations

import pytest

from cutover.shifter.adapters.live_state_store import LiveStateStore
from cutover.shifter.contract import SIDES, LiveKey
from cutover.shifter.readers.live_state import read_live_state
from tests.unit.shifter.readers.moto_clients import calls, client

PREFIX = "/cutover/demo/live"
KEYS = tuple(LiveKey)  # all six, capacity bounds included


def test_all_twelve_parameters_are_read_over_two_pages() -> None:
    """GetParametersByPath returns at most 10 per call (moto too), and both sides have 6."""
    ssm = client("ssm")
    for side in SIDES:
        for key in KEYS:
            ssm.put_parameter(Name=f"{PREFIX}/{side}/{key}", Value=f"{side}-{key}", Type="String")
    ssm.put_parameter(Name="/cutover/other/live/blue/weight", Value="0", Type="String")  # another service
    sent = calls(ssm, "GetParametersByPath")

    live = read_live_state(ssm, PREFIX + "/")

    assert live == {f"{side}/{key}": f"{side}-{key}" for side in SIDES for key in KEYS}
    assert len(sent) == 2


def test_the_shifter_refuses_to_write_a_key_the_contract_does_not_name() -> None:
    ssm = client("ssm")
    store = LiveStateStore(PREFIX, ssm)

    with pytest.raises(ValueError, match="desired_count"):
        store.write("green", {"weight": 10, "desired_count": 2})  # desired-count, misspelt

    assert read_live_state(ssm, PREFIX) == {}  # not even the valid key before it
