"""Decisions about the blue and green sides: which one is live, what weights to write, which alarms count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from cutover.shifter.contract import SIDES, Side
from cutover.shifter.logic.errors import InconsistentTraffic


def other_side(side: Side) -> Side:
    return "green" if side == "blue" else "blue"


def live_side_from_weights(weights: Mapping[str, int], *, deployment_running: bool) -> Side:
    """The side with 100 % while the other has 0 %; anything else is InconsistentTraffic.

    `deployment_running` only changes the advice: split weights are expected mid-deployment,
    so switching would fight the running execution.
    """
    for side in SIDES:
        if weights.get(side) == 100 and weights.get(other_side(side)) == 0 and set(weights) <= set(SIDES):
            return side
    described = _describe(weights)
    if deployment_running:
        raise InconsistentTraffic(
            f"traffic is not on one side ({described}) because a deployment is running; "
            "wait for it to finish or abort it"
        )
    raise InconsistentTraffic(
        f"traffic is not on one side ({described}) and no deployment is running: "
        'use {"action": "switch", "to": "<side>"} (cutover switch <side>) to put 100 % on one healthy side'
    )


def _describe(weights: Mapping[str, int]) -> str:
    parts = [f"{side} {weights[side]} %" if side in weights else f"{side} missing" for side in SIDES]
    parts += [f"unexpected {name} {weight} %" for name, weight in sorted(weights.items()) if name not in SIDES]
    return ", ".join(parts)


def weights_for(new_side: Side, new_weight: int) -> dict[Side, int]:
    if not 0 <= new_weight <= 100:
        raise ValueError(f"a weight must be within 0..100, got {new_weight}")
    return {new_side: new_weight, other_side(new_side): 100 - new_weight}


def alarms_to_watch(
    new_side: Side, side_alarms: Mapping[str, Sequence[str]], global_alarms: Sequence[str]
) -> tuple[str, ...]:
    """The new side's alarms and the global ones; the old side's alarms say nothing about the new revision."""
    return tuple(dict.fromkeys([*side_alarms.get(new_side, ()), *global_alarms]))


class AlarmStatus(NamedTuple):
    """An alarm's state and CloudWatch's `StateReason` for it (the reason an alarm event carries too)."""

    state: str
    reason: str = ""


def firing(alarm_states: Mapping[str, AlarmStatus], watched: Sequence[str]) -> tuple[str, ...]:
    """Watched alarms in ALARM, filtered here because CloudWatch cannot filter by names and state at once."""
    return tuple(name for name in watched if (status := alarm_states.get(name)) is not None and status.state == "ALARM")


def firing_reasons(alarm_states: Mapping[str, AlarmStatus], fired: Sequence[str]) -> str:
    """Why the fired alarms are in ALARM, in CloudWatch's words: the poll path reports the same
    reason the alarm event would have carried, whichever path sees the alarm first."""
    reasons = [f"{name}: {alarm_states[name].reason}" for name in fired if alarm_states[name].reason]
    return "; ".join(reasons)
