"""The live-state parameters (docs/live-state.md) against moto's SSM."""

from __future__ import annotations

import pytest

from cutover.shifter.adapters.live_state_store import LiveStateStore
from cutover.shifter.logic.observed import SideLiveState
from tests.unit.shifter.readers.moto_clients import calls, client


def test_a_side_written_reads_back_typed_with_optional_bounds() -> None:
    store = LiveStateStore("/cutover/demo/live/", client("ssm"))
    store.write("green", {"weight": 10, "task-definition": "app-green-td:7", "image": "app:v2", "desired-count": 2})
    assert store.read("green") == SideLiveState(
        weight=10,
        task_definition="app-green-td:7",
        image="app:v2",
        desired_count=2,
        min_capacity=None,
        max_capacity=None,
    )
    store.write("green", {"min-capacity": 2, "max-capacity": 6, "weight": 100})
    assert store.read("green") == SideLiveState(
        weight=100, task_definition="app-green-td:7", image="app:v2", desired_count=2, min_capacity=2, max_capacity=6
    )


def test_a_side_never_written_names_the_missing_parameters() -> None:
    ssm = client("ssm")
    store = LiveStateStore("/cutover/demo/live", ssm)
    store.write("blue", {"weight": 100, "image": "app:v1"})
    with pytest.raises(LookupError, match="/cutover/demo/live/blue/task-definition, /cutover/demo/live/blue/desired"):
        store.read("blue")


def test_one_side_is_read_in_a_single_get_parameters_call() -> None:
    """The shifter's role grants ssm:GetParameters on its own names only (cutover/cdk/shifter_functions.py);
    GetParameters takes 1-10 names (SSM API Reference, GetParameters, Names:
    https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html)."""
    ssm = client("ssm")
    store = LiveStateStore("/cutover/demo/live", ssm)
    store.write("blue", {"weight": 100, "task-definition": "td:1", "image": "app:v1", "desired-count": 2})
    sent = calls(ssm, "GetParameters")
    store.read("blue")
    assert len(sent) == 1 and len(sent[0]["Names"]) <= 10
