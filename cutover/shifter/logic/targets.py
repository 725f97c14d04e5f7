"""Which side a manual action sends traffic to (pure: what was read in, the choice out).

The reads themselves (the listener, the live state, ECS, target health) are the step's:
steps/targets.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cutover.shifter.contract import Side
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.observed import ServiceStatus
from cutover.shifter.logic.traffic import other_side

ROLLBACK_HISTORY_LIMIT = 50  # how far back a manual rollback looks for the last success


def repair_candidates(failed_towards: Side | None, weights: Mapping[str, int]) -> tuple[Side, Side]:
    """The sides a repair tries, in order: the side the failed deployment was rolling back to
    (the other one than it was sending traffic to); without that, the heavier side (blue on a tie)."""
    heaviest: Side = "blue" if weights.get("blue", 0) >= weights.get("green", 0) else "green"
    preferred: Side = other_side(failed_towards) if failed_towards else heaviest
    return preferred, other_side(preferred)


def last_successful_deploy(history: Iterable[HistoryRecord]) -> HistoryRecord | None:
    """The newest successful deployment in `history` (newest first): what a rollback undoes."""
    return next((r for r in history if r.action == "deploy" and r.outcome == "SUCCEEDED"), None)


def warm(status: ServiceStatus, revision: str) -> bool:
    """The side already runs `revision` with tasks: a rollback needs no preparation."""
    return status.desired > 0 and status.task_definition == revision
