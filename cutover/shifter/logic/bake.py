"""A bake's decisions at one poll (pure): what an alarm's failure says, whether the bake ends
(a promote, its time up, a pause expired), and how long until the next poll."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from cutover.shifter.logic.quotas import poll_seconds
from cutover.shifter.logic.state import Bake

Move = Literal["promoted", "pause-expired", "time-up", "baking"]


def after_check(bake: Bake, *, promote_requested: bool) -> Move:
    """A promote ends a step's bake, and a pause the judge asked for (the final wait too: a
    promote's signal fails only a step's token, so the final wait sees it at its next check).
    Otherwise the bake ends when its time is up: a pause without a promote has expired."""
    if promote_requested and (bake.phase == "step" or bake.judge_paused):
        return "promoted"
    if bake.elapsed_seconds >= bake.seconds:
        return "pause-expired" if bake.pause else "time-up"
    return "baking"


def alarm_cause(fired: Sequence[str], reasons: str, weight: int, side: str) -> str:
    cause = f"{', '.join(fired)} in ALARM at {weight} % on {side}"
    return f"{cause} ({reasons})" if reasons else cause


def pause_expired_cause(bake: Bake, weight: int) -> str:
    why = " after an inconclusive verdict" if bake.judge_paused else ""
    return f"paused at {weight} %{why} for {bake.seconds} s without a promote"


def next_wait(bake: Bake, poll_interval_seconds: int) -> int:
    """A pause polls at the poll interval until a promote; a bake never waits past its end."""
    poll = poll_seconds(bake.seconds, poll_interval_seconds)
    return poll if bake.pause else min(poll, bake.seconds - bake.elapsed_seconds)
