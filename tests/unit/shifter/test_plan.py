"""The deployment plan: defaults applied, cross-field mistakes refused, a JSON round trip."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import DeployInput, SmokeTest, Step, StepsStrategy
from cutover.shifter.logic.plan import DeploymentPlan, PlanStep, build_plan, plan_from_state, plan_to_state
from tests.unit.shifter.fakes.deployment import stack_defaults

DEFAULTS = stack_defaults(health_check_path="/health")


def plan(**fields: Any) -> DeploymentPlan:
    return build_plan(DeployInput(image="app:v2", **fields), DEFAULTS)


def test_defaults_fill_every_omitted_field() -> None:
    assert plan() == DeploymentPlan(
        image="app:v2",
        steps=(PlanStep(weight=10, bake_seconds=300, pause=False), PlanStep(weight=100, bake_seconds=300, pause=False)),
        smoke_tests=(SmokeTest(path="/health"),),
        termination_wait_seconds=900,
        poll_interval_seconds=60,
        alb_propagation_seconds=60,
        max_pause_seconds=86_400,
        reason="deploy app:v2",
        strategy_name="canary",
    )


def test_request_values_override_the_defaults() -> None:
    result = plan(
        strategy="linear",
        linear_step=50,
        bake_seconds=0,
        termination_wait_seconds=0,
        smoke_tests=[SmokeTest(path="/ready")],
        reason="hotfix",
    )
    assert [(s.weight, s.bake_seconds) for s in result.steps] == [(50, 0), (100, 0)]
    assert result.smoke_tests == (SmokeTest(path="/ready"),)
    assert result.termination_wait_seconds == 0
    assert result.reason == "hotfix"
    assert result.strategy_name == "linear"


def test_explicit_empty_smoke_tests_mean_none() -> None:
    assert plan(smoke_tests=[]).smoke_tests == ()


def test_canary_weight_applies_when_the_default_strategy_is_canary() -> None:
    assert [s.weight for s in plan(canary_weight=25).steps] == [25, 100]


def test_steps_strategy_is_named_steps() -> None:
    strategy = StepsStrategy(steps=[Step(weight=1), Step(weight=50, pause=True), Step(weight=100)])
    result = plan(strategy=strategy, bake_seconds=30)
    assert result.strategy_name == "steps"
    assert result.steps == (
        PlanStep(weight=1, bake_seconds=30, pause=False),
        PlanStep(weight=50, bake_seconds=0, pause=True),
        PlanStep(weight=100, bake_seconds=30, pause=False),
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"strategy": StepsStrategy(steps=[Step(weight=100)]), "canary_weight": 5},
            "canary_weight: only applies to strategy 'canary' (this deployment's strategy is 'steps')",
        ),
        (
            {"strategy": StepsStrategy(steps=[Step(weight=100)]), "linear_step": 5},
            "linear_step: only applies to strategy 'linear' (this deployment's strategy is 'steps')",
        ),
        ({"strategy": "all-at-once", "canary_weight": 5}, "canary_weight: only applies to strategy 'canary'"),
        ({"strategy": "canary", "linear_step": 5}, "linear_step: only applies to strategy 'linear'"),
        ({"linear_step": 5}, "linear_step: only applies to strategy 'linear' (this deployment's strategy is 'canary')"),
    ],
)
def test_tuning_for_another_strategy_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan(**fields)
    assert str(caught.value).startswith(message)


def test_durations_count_bakes_and_the_final_wait() -> None:
    strategy = StepsStrategy(steps=[Step(weight=10, bake_seconds=100), Step(weight=50, pause=True), Step(weight=100)])
    result = plan(strategy=strategy, bake_seconds=200, termination_wait_seconds=50)
    # The old side stays up for max(termination wait 50, ALB propagation 60).
    assert result.final_wait_seconds() == 60
    assert result.minimum_duration_seconds() == 100 + 0 + 200 + 60
    assert result.maximum_duration_seconds() == 100 + 86_400 + 200 + 60


def test_a_long_termination_wait_covers_the_propagation_delay() -> None:
    result = plan(strategy="all-at-once", bake_seconds=0, termination_wait_seconds=900)
    assert result.final_wait_seconds() == 900


def test_durations_are_equal_without_pauses() -> None:
    result = plan(strategy="all-at-once", bake_seconds=0, termination_wait_seconds=0)
    assert result.minimum_duration_seconds() == result.maximum_duration_seconds() == 60


def test_state_is_plain_json() -> None:
    state = plan(smoke_tests=[SmokeTest(path="/mcp", method="POST", body={"a": [1]}, expect_json={"ok": True})])
    dumped = plan_to_state(state)
    assert dumped["steps"] == [
        {"weight": 10, "bake_seconds": 300, "pause": False},
        {"weight": 100, "bake_seconds": 300, "pause": False},
    ]
    assert dumped["smoke_tests"][0]["body"] == {"a": [1]}
    assert plan_from_state(dumped) == state


def test_unknown_state_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="Extra inputs"):
        plan_from_state({**plan_to_state(plan()), "surprise": 1})


smoke_tests = st.builds(
    SmokeTest,
    path=st.from_regex(r"/[a-z0-9/._-]{0,20}", fullmatch=True),
    method=st.sampled_from(["GET", "POST", "HEAD"]),
    body=st.none() | st.text(max_size=5) | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    expect_status=st.integers(100, 599),
    expect_json=st.none() | st.dictionaries(st.text(max_size=3), st.booleans(), max_size=2),
)
steps = st.lists(st.integers(1, 99), unique=True, max_size=10).map(
    lambda ws: StepsStrategy(steps=[Step(weight=w) for w in sorted(ws)] + [Step(weight=100, pause=False)])
)
requests = st.builds(
    DeployInput,
    image=st.sampled_from(["app:v1", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"]),
    strategy=st.none() | st.sampled_from(["canary", "all-at-once"]) | steps,
    bake_seconds=st.none() | st.integers(0, 86_400),
    smoke_tests=st.none() | st.lists(smoke_tests, max_size=3),
    termination_wait_seconds=st.none() | st.integers(0, 86_400),
    reason=st.none() | st.text(max_size=20),
)


@given(requests)
def test_plans_are_deterministic_and_survive_the_state_round_trip(request: DeployInput) -> None:
    first = build_plan(request, DEFAULTS)
    assert build_plan(request, DEFAULTS) == first
    assert plan_from_state(plan_to_state(first)) == first
    assert first.steps[-1].weight == 100
    assert first.maximum_duration_seconds() >= first.minimum_duration_seconds()
