"""The live-state reader (CLI and harness): every parameter under the prefix, every page."""

from __future__ import annotations

from shifter.readers.live_state import read_live_state
from tests.unit.shifter.readers.moto_clients import calls, client

PREFIX = "/cutover/demo/live"
KEYS = ("weight", "task-definition", "image", "desired-count", "min-capacity", "max-capacity")


def test_all_twelve_parameters_are_read_over_two_pages() -> None:
    """GetParametersByPath returns at most 10 per call (moto too), and both sides have 6."""
    ssm = client("ssm")
    for side in ("blue", "green"):
        for key in KEYS:
            ssm.put_parameter(Name=f"{PREFIX}/{side}/{key}", Value=f"{side}-{key}", Type="String")
    ssm.put_parameter(Name="/cutover/other/live/blue/weight", Value="0", Type="String")  # another service
    sent = calls(ssm, "GetParametersByPath")

    live = read_live_state(ssm, PREFIX + "/")

    assert live == {f"{side}/{key}": f"{side}-{key}" for side in ("blue", "green") for key in KEYS}
    assert len(sent) == 2
