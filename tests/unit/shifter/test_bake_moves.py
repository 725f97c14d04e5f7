"""A bake at one poll: what ends it, what its causes say, and how long until the next poll."""

from __future__ import annotations

import pytest

from cutover.shifter.logic.bake import Move, after_check, alarm_cause, next_wait, pause_expired_cause
from cutover.shifter.logic.quotas import LONG_WAIT_POLL_SECONDS, LONG_WAIT_SECONDS
from cutover.shifter.logic.state import Bake


def bake(**fields: object) -> Bake:
    values: dict[str, object] = {"phase": "step", "step_index": 0, "seconds": 60, "wait_seconds": 10}
    return Bake.model_validate(values | {"token_timeout_seconds": 1000} | fields)


@pytest.mark.parametrize(
    ("fields", "promote", "move"),
    [
        ({}, False, "baking"),
        ({"elapsed_seconds": 60}, False, "time-up"),
        ({"elapsed_seconds": 70}, False, "time-up"),
        ({"elapsed_seconds": 10}, True, "promoted"),  # a promote ends a step's bake at once
        ({"elapsed_seconds": 60}, True, "promoted"),  # and wins over its end
        ({"phase": "final", "elapsed_seconds": 10}, True, "baking"),  # not the final wait's
        ({"phase": "final", "judge_paused": True, "pause": True}, True, "promoted"),  # unless the judge paused it
        ({"pause": True, "elapsed_seconds": 60}, False, "pause-expired"),
        ({"pause": True, "elapsed_seconds": 60}, True, "promoted"),
    ],
)
def test_what_ends_a_bake(fields: dict[str, object], promote: bool, move: Move) -> None:
    assert after_check(bake(**fields), promote_requested=promote) == move


def test_the_alarm_cause_names_the_alarms_the_weight_and_cloudwatchs_reasons() -> None:
    assert alarm_cause(["green-5xx"], "", 10, "green") == "green-5xx in ALARM at 10 % on green"
    assert alarm_cause(["a", "b"], "a: threshold crossed", 50, "blue") == (
        "a, b in ALARM at 50 % on blue (a: threshold crossed)"
    )


def test_an_expired_pause_says_whether_the_judge_asked_for_it() -> None:
    assert pause_expired_cause(bake(pause=True, seconds=3600), 10) == "paused at 10 % for 3600 s without a promote"
    judged = bake(pause=True, judge_paused=True, seconds=3660)
    assert (
        pause_expired_cause(judged, 100) == "paused at 100 % after an inconclusive verdict for 3660 s without a promote"
    )


def test_a_bake_never_waits_past_its_end_and_a_pause_polls_at_the_interval() -> None:
    assert next_wait(bake(elapsed_seconds=0), 10) == 10
    assert next_wait(bake(elapsed_seconds=55), 10) == 5
    assert next_wait(bake(pause=True, seconds=3600, elapsed_seconds=3595), 10) == 10
    long = LONG_WAIT_SECONDS + 1
    assert next_wait(bake(seconds=long), 10) == max(10, LONG_WAIT_POLL_SECONDS)
