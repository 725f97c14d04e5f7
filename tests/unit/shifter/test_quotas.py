"""A plan's cost in Step Functions' terms: long waits that fit, and plans refused with one
line naming the limit they would break."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import DeployInput, Step, StepsStrategy
from cutover.shifter.logic.plan import Defaults, DeploymentPlan, build_plan
from cutover.shifter.logic.quotas import (
    HISTORY_EVENTS_BUDGET,
    LONG_WAIT_POLL_SECONDS,
    PIPELINE_ACTION_TIMEOUT_SECONDS,
    STATE_MACHINE_TIMEOUT_SECONDS,
    check_plan,
    estimate,
    is_pipeline_execution,
    poll_seconds,
)
from tests.unit.shifter.fakes.deployment import stack_defaults

WEEK = 604_800
TWO_DAYS = 172_800


def defaults(**fields: Any) -> Defaults:
    return stack_defaults(**({"max_pause_seconds": WEEK} | fields))


def plan(stack: Defaults | None = None, **fields: Any) -> DeploymentPlan:
    return build_plan(DeployInput(image="app:v2", **fields), stack or defaults())


def test_a_seven_day_pause_and_a_48_hour_termination_wait_fit_the_history_with_margin() -> None:
    paused = plan(
        strategy=StepsStrategy(steps=[Step(weight=10), Step(weight=50, pause=True), Step(weight=100)]),
        termination_wait_seconds=TWO_DAYS,
    )
    found = check_plan(paused, pipeline=False)
    assert found.events <= HISTORY_EVENTS_BUDGET
    assert found.longest_seconds <= STATE_MACHINE_TIMEOUT_SECONDS


def test_waits_over_an_hour_poll_every_ten_minutes_shorter_ones_at_the_poll_interval() -> None:
    assert poll_seconds(3_600, 60) == 60
    assert poll_seconds(3_601, 60) == LONG_WAIT_POLL_SECONDS
    assert poll_seconds(WEEK, 1_800) == 1_800  # a sparser configured poll is kept


def test_the_issue_example_linear_ten_steps_of_six_hours_now_fits() -> None:
    found = check_plan(plan(strategy="linear", linear_step=10, bake_seconds=6 * 3_600), pipeline=False)
    assert found.expected_events < 4_000  # was ~33,000 at one poll a minute


def test_too_many_polls_is_refused_naming_the_history_quota() -> None:
    busy = defaults(poll_interval_seconds=5)
    with pytest.raises(InvalidInput, match=r"history events, over the 20,000 Cutover accepts .*25,000"):
        check_plan(plan(busy, strategy="linear", linear_step=2, bake_seconds=3_600), pipeline=False)


def test_a_plan_longer_than_the_state_machine_timeout_is_refused() -> None:
    hourly = defaults(poll_interval_seconds=3_600)
    ten_days = plan(hourly, strategy="linear", linear_step=10, bake_seconds=86_400)
    with pytest.raises(
        InvalidInput, match=r"^plan: waits up to 240h15m, over the 240h .*the state machine's timeout\)$"
    ):
        check_plan(ten_days, pipeline=False)


def test_a_pipeline_deployment_cannot_outlive_codepipelines_action_timeout() -> None:
    paused = plan(strategy=StepsStrategy(steps=[Step(weight=10, pause=True), Step(weight=100)]))
    check_plan(paused, pipeline=False)  # a person may hold a pause for a week
    with pytest.raises(InvalidInput, match="CodePipeline allows its Step Functions action"):
        check_plan(paused, pipeline=True)
    assert estimate(paused).longest_seconds > PIPELINE_ACTION_TIMEOUT_SECONDS
    check_plan(plan(), pipeline=True)  # the defaults run well within it


def test_pipeline_executions_are_known_by_the_actions_prefix() -> None:
    assert is_pipeline_execution("pipeline-1624a1d1-3699-43f0-8e1e-6bafd7fde791")
    assert not is_pipeline_execution("canary-v2")


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.integers(1, 99), max_size=49, unique=True).map(sorted),
    bake=st.integers(0, 86_400),
    termination=st.integers(0, TWO_DAYS),
    poll=st.integers(5, 3_600),
    pauses=st.integers(0, 3),
)
def test_every_accepted_plan_fits_the_budget_and_the_timeout(
    weights: list[int], bake: int, termination: int, poll: int, pauses: int
) -> None:
    steps = [Step(weight=w, pause=i < pauses) if i < pauses else Step(weight=w) for i, w in enumerate(weights)]
    candidate = plan(
        defaults(poll_interval_seconds=poll),
        strategy=StepsStrategy(steps=[*steps, Step(weight=100)]),
        bake_seconds=bake,
        termination_wait_seconds=termination,
    )
    try:
        found = check_plan(candidate, pipeline=False)
    except InvalidInput:
        return
    assert found.events <= HISTORY_EVENTS_BUDGET
    assert found.longest_seconds <= STATE_MACHINE_TIMEOUT_SECONDS


def test_each_on_step_hook_counts_at_every_step() -> None:
    linear = plan(strategy="linear", linear_step=10)
    without = estimate(linear).expected_events
    # 10 steps; per step the stage's Choice (2) and each hook's task and answer Choice (7).
    assert estimate(linear, on_step_hooks=3).expected_events == without + 10 * (2 + 3 * 7)
    assert check_plan(linear, pipeline=False, on_step_hooks=3).events == estimate(linear, on_step_hooks=3).events


def test_each_on_rollback_hook_counts_once_in_the_bound_not_in_a_run_without_rollback() -> None:
    canary = plan()
    without = estimate(canary)
    # The stage's Choice (2); each hook's task (5), its answer's Choice (2), recording its failure (5).
    with_hooks = estimate(canary, on_rollback_hooks=3)
    assert with_hooks.expected_events == without.expected_events
    assert with_hooks.events == without.events + 2 + 3 * 12
    assert check_plan(canary, pipeline=False, on_rollback_hooks=3) == with_hooks


def test_rollback_hooks_can_tip_a_plan_over_the_history_budget() -> None:
    # Ten steps of 1,005 s polled every 5 s: just under the budget without rollback hooks.
    near = plan(
        defaults(poll_interval_seconds=5),
        strategy="linear",
        linear_step=10,
        bake_seconds=1_005,
        termination_wait_seconds=0,
    )
    assert check_plan(near, pipeline=False).events <= HISTORY_EVENTS_BUDGET
    with pytest.raises(InvalidInput, match="history events"):
        check_plan(near, pipeline=False, on_rollback_hooks=10)
