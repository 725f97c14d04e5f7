"""Which side is live, which weights to write, which alarms to watch."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover.shifter.contract import SIDES, Side
from cutover.shifter.logic.errors import InconsistentTraffic
from cutover.shifter.logic.traffic import (
    AlarmStatus,
    alarms_to_watch,
    firing,
    firing_reasons,
    live_side_from_weights,
    other_side,
    weights_for,
)


def test_other_side() -> None:
    assert other_side("blue") == "green"
    assert other_side("green") == "blue"


@pytest.mark.parametrize(
    ("weights", "live"), [({"blue": 100, "green": 0}, "blue"), ({"green": 100, "blue": 0}, "green")]
)
def test_the_side_with_all_traffic_is_live(weights: dict[str, int], live: Side) -> None:
    assert live_side_from_weights(weights, deployment_running=False) == live


@pytest.mark.parametrize(
    ("weights", "described"),
    [
        ({"blue": 90, "green": 10}, "blue 90 %, green 10 %"),
        ({"blue": 0, "green": 0}, "blue 0 %, green 0 %"),
        ({"blue": 100}, "blue 100 %, green missing"),
        ({"blue": 100, "green": 10}, "blue 100 %, green 10 %"),
        ({"blue": 100, "green": 0, "red": 0}, "blue 100 %, green 0 %, unexpected red 0 %"),
    ],
)
def test_anything_else_needs_a_switch(weights: dict[str, int], described: str) -> None:
    with pytest.raises(InconsistentTraffic) as caught:
        live_side_from_weights(weights, deployment_running=False)
    message = str(caught.value)
    assert f"({described})" in message
    assert (
        'use {"action": "switch", "to": "<side>"} (cutover switch <side>) to put 100 % on one healthy side' in message
    )


def test_split_weights_during_a_deployment_do_not_suggest_a_switch() -> None:
    with pytest.raises(InconsistentTraffic) as caught:
        live_side_from_weights({"blue": 90, "green": 10}, deployment_running=True)
    message = str(caught.value)
    assert "deployment is running" in message
    assert "switch" not in message


@pytest.mark.parametrize(
    ("side", "weight", "expected"),
    [
        ("green", 10, {"green": 10, "blue": 90}),
        ("blue", 100, {"blue": 100, "green": 0}),
        ("blue", 0, {"blue": 0, "green": 100}),
    ],
)
def test_weights_for(side: Side, weight: int, expected: dict[str, int]) -> None:
    assert weights_for(side, weight) == expected


@pytest.mark.parametrize("weight", [-1, 101])
def test_weights_out_of_range_are_refused(weight: int) -> None:
    with pytest.raises(ValueError, match=r"0\.\.100"):
        weights_for("green", weight)


@given(st.sampled_from(SIDES), st.integers(0, 100))
def test_weights_always_sum_to_100(side: Side, weight: int) -> None:
    weights = weights_for(side, weight)
    assert set(weights) == {"blue", "green"}
    assert sum(weights.values()) == 100
    assert weights[side] == weight


def test_only_the_new_sides_and_global_alarms_are_watched() -> None:
    side_alarms = {"blue": ["blue-5xx", "blue-latency"], "green": ["green-5xx", "shared"]}
    assert alarms_to_watch("green", side_alarms, ["shared", "orders-errors"]) == (
        "green-5xx",
        "shared",
        "orders-errors",
    )
    assert alarms_to_watch("blue", side_alarms, []) == ("blue-5xx", "blue-latency")
    assert alarms_to_watch("blue", {}, ["global"]) == ("global",)


def test_firing_keeps_watched_alarms_in_alarm() -> None:
    states = {
        "green-5xx": AlarmStatus("ALARM", "5 errors in 1 minute"),
        "green-latency": AlarmStatus("OK"),
        "blue-5xx": AlarmStatus("ALARM"),
        "global": AlarmStatus("INSUFFICIENT_DATA"),
    }
    assert firing(states, ["green-5xx", "green-latency", "global", "unknown"]) == ("green-5xx",)
    assert firing(states, []) == ()


def test_firing_reasons_are_cloudwatchs_own_words() -> None:
    states = {"green-5xx": AlarmStatus("ALARM", "5 errors in 1 minute"), "shared": AlarmStatus("ALARM")}
    assert firing_reasons(states, ["green-5xx", "shared"]) == "green-5xx: 5 errors in 1 minute"
    assert firing_reasons(states, []) == ""
