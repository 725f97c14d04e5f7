"""Named and explicit strategies expand into concrete steps."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover.shifter.logic.inputs import Step, StepsStrategy, StrategyName
from cutover.shifter.logic.strategy import PlannedStep, expand_strategy


def expand(strategy: StrategyName | StepsStrategy, *, canary: int = 10, linear: int = 20, bake: int = 300) -> list[int]:
    planned = expand_strategy(strategy, canary_weight=canary, linear_step=linear, bake_seconds=bake)
    return [step.weight for step in planned]


def test_all_at_once_is_one_step_with_the_final_bake() -> None:
    assert expand_strategy("all-at-once", canary_weight=10, linear_step=20, bake_seconds=120) == (
        PlannedStep(weight=100, bake_seconds=120, pause=False),
    )


def test_canary_bakes_the_canary_then_the_full_shift() -> None:
    assert expand_strategy("canary", canary_weight=5, linear_step=20, bake_seconds=60) == (
        PlannedStep(5, 60, False),
        PlannedStep(100, 60, False),
    )


@pytest.mark.parametrize(
    ("step", "weights"),
    [
        (20, [20, 40, 60, 80, 100]),
        (30, [30, 60, 90, 100]),
        (50, [50, 100]),
        (99, [99, 100]),
        (1, list(range(1, 101))),
    ],
)
def test_linear_climbs_in_equal_steps_then_finishes_at_100(step: int, weights: list[int]) -> None:
    assert expand("linear", linear=step) == weights


def test_explicit_steps_inherit_the_bake_unless_set_or_paused() -> None:
    strategy = StepsStrategy(steps=[Step(weight=5, bake_seconds=30), Step(weight=50, pause=True), Step(weight=100)])
    assert expand_strategy(strategy, canary_weight=10, linear_step=20, bake_seconds=300) == (
        PlannedStep(5, 30, False),
        PlannedStep(50, 0, True),
        PlannedStep(100, 300, False),
    )


def test_explicit_zero_bake_is_kept() -> None:
    strategy = StepsStrategy(steps=[Step(weight=100, bake_seconds=0)])
    assert expand_strategy(strategy, canary_weight=10, linear_step=20, bake_seconds=300)[0].bake_seconds == 0


@pytest.mark.parametrize(("strategy", "canary", "linear"), [("canary", 100, 20), ("canary", 0, 20), ("linear", 10, 0)])
def test_out_of_range_tuning_is_refused(strategy: StrategyName, canary: int, linear: int) -> None:
    with pytest.raises(ValueError, match=r"must be within 1\.\.99"):
        expand(strategy, canary=canary, linear=linear)


def assert_invariants(planned: tuple[PlannedStep, ...]) -> None:
    weights = [step.weight for step in planned]
    assert weights, "never empty"
    assert all(1 <= weight <= 100 for weight in weights)
    assert all(a < b for a, b in itertools.pairwise(weights))
    assert weights[-1] == 100
    assert all(step.bake_seconds == 0 for step in planned if step.pause)


percent = st.integers(min_value=1, max_value=99)
bake = st.integers(min_value=0, max_value=86_400)


@given(st.sampled_from(["canary", "linear", "all-at-once"]), percent, percent, bake)
def test_named_strategies_keep_the_invariants(
    strategy: StrategyName, canary: int, linear: int, bake_seconds: int
) -> None:
    planned = expand_strategy(strategy, canary_weight=canary, linear_step=linear, bake_seconds=bake_seconds)
    assert_invariants(planned)
    assert all(step.bake_seconds == bake_seconds for step in planned)


@st.composite
def steps_strategies(draw: st.DrawFn) -> StepsStrategy:
    below_100 = draw(st.lists(st.integers(min_value=1, max_value=99), unique=True, max_size=49))
    steps = []
    for weight in [*sorted(below_100), 100]:
        if draw(st.booleans()):
            steps.append(Step(weight=weight, pause=True))
        else:
            steps.append(Step(weight=weight, bake_seconds=draw(st.none() | bake)))
    return StepsStrategy(steps=steps)


@given(steps_strategies(), bake)
def test_explicit_steps_keep_the_invariants(strategy: StepsStrategy, bake_seconds: int) -> None:
    planned = expand_strategy(strategy, canary_weight=10, linear_step=20, bake_seconds=bake_seconds)
    assert_invariants(planned)
    assert [step.weight for step in planned] == [step.weight for step in strategy.steps]
    assert [step.pause for step in planned] == [step.pause for step in strategy.steps]
