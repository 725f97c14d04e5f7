"""The first autoscaling bounds of a side come from what that side runs (logic/capacity_seed.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover.shifter.logic.capacity_seed import Bounds, seed_bounds

CONFIGURED = Bounds(2, 10)


def test_an_idle_side_is_pinned_at_zero() -> None:
    assert seed_bounds(0, CONFIGURED) == Bounds(0, 0)


def test_a_live_side_gets_the_configured_bounds() -> None:
    # Green live with 2 tasks when autoscaling is turned on: never 0..0 (the open defect).
    assert seed_bounds(2, CONFIGURED) == CONFIGURED


def test_a_side_outside_the_configured_bounds_keeps_its_count() -> None:
    assert seed_bounds(14, CONFIGURED) == Bounds(2, 14)
    assert seed_bounds(1, CONFIGURED) == Bounds(1, 10)


@given(desired=st.integers(0, 1_000), low=st.integers(1, 100), span=st.integers(0, 100))
def test_registering_the_seed_never_moves_a_sides_count(desired: int, low: int, span: int) -> None:
    # RegisterScalableTarget moves capacity into min..max: the seed must already contain it.
    bounds = seed_bounds(desired, Bounds(low, low + span))
    assert bounds.minimum <= desired <= bounds.maximum
    if desired == 0:
        assert bounds == Bounds(0, 0)  # autoscaling can start no task on an idle side
    else:
        assert bounds.minimum <= low and bounds.maximum >= low + span  # never narrower than configured


def test_impossible_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        seed_bounds(-1, CONFIGURED)
    with pytest.raises(ValueError, match="empty"):
        seed_bounds(2, Bounds(5, 4))
