"""The capacity-seed custom resource's decisions with its ParameterSeeds port faked: the
handler takes the port, so each request type is checked without SSM (moto's end-to-end
version: test_capacity_seed_handler.py)."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.shifter.adapters.parameter_seeds import StaleParameter
from cutover.shifter.handlers.capacity_seed import handle
from tests.unit.shifter.fakes.aws import FakeParameterSeeds, capacity_seed_request

PREFIX = "/cutover/demo/live/blue"


def request(request_type: str, physical_id: str | None = None) -> dict[str, Any]:
    return capacity_seed_request(PREFIX, request_type, physical_id)


@pytest.mark.parametrize(("desired", "bounds"), [("3", ("2", "4")), ("0", ("0", "0"))])
def test_create_seeds_the_bounds_from_the_recorded_count(desired: str, bounds: tuple[str, str]) -> None:
    seeds = FakeParameterSeeds({f"{PREFIX}/desired-count": desired})
    result = handle(request("Create"), seeds)
    assert result["PhysicalResourceId"] == f"{PREFIX}/min-capacity"
    assert (seeds.values[f"{PREFIX}/min-capacity"], seeds.values[f"{PREFIX}/max-capacity"]) == bounds


def test_create_refuses_a_parameter_an_earlier_stack_left() -> None:
    seeds = FakeParameterSeeds({f"{PREFIX}/desired-count": "2", f"{PREFIX}/min-capacity": "0"})
    with pytest.raises(StaleParameter, match="min-capacity already exists"):
        handle(request("Create"), seeds)


def test_update_writes_nothing_and_delete_removes_both_bounds_only() -> None:
    seeds = FakeParameterSeeds({f"{PREFIX}/desired-count": "2"})
    handle(request("Create"), seeds)
    seeds.values[f"{PREFIX}/max-capacity"] = "9"  # the shifter's since
    assert handle(request("Update", "old-id"), seeds) == {"PhysicalResourceId": "old-id"}
    assert seeds.values[f"{PREFIX}/max-capacity"] == "9"
    handle(request("Delete", f"{PREFIX}/min-capacity"), seeds)
    assert seeds.values == {f"{PREFIX}/desired-count": "2"}
