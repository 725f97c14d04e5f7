"""The judge wired into deployments: its settings per stack and per deployment, what a verdict
does at the end of a bake, what the timeline keeps, and what the judge adds to a plan's bounds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cutover.config import ConfigError, load_config
from cutover.shifter.environment import ShifterEnvironment
from cutover.shifter.logic.analysis.actions import (
    decision_text,
    end_of_bake,
    failure_cause,
    inconclusive_cause,
    verdict_detail,
)
from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import InconclusiveAction, JudgeConfig
from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import DeployInput, parse_execution_input
from cutover.shifter.logic.plan import Defaults, DeploymentPlan, build_plan
from cutover.shifter.logic.quotas import check_plan, estimate
from tests.unit.shifter.analysis.samples import check
from tests.unit.shifter.fakes.deployment import stack_defaults

STACK = stack_defaults(
    max_pause_seconds=3_600,
    analysis=JudgeConfig.model_validate({"mode": "dry-run", "error_rate": {"tolerance": 0.5}}),
)


def deploy(analysis: dict[str, Any] | None = None, defaults: Defaults = STACK) -> DeploymentPlan:
    document: dict[str, Any] = {"image": "app:v2"} | ({"analysis": analysis} if analysis is not None else {})
    request = parse_execution_input(document)
    assert isinstance(request, DeployInput)
    return build_plan(request, defaults)


# ----------------------------------------------------------------- settings
def test_off_by_default_so_a_deployment_without_settings_is_unchanged() -> None:
    plain = deploy(defaults=STACK.model_copy(update={"analysis": JudgeConfig()}))
    assert plain.analysis.mode == "off"
    # The canary's bakes at 10 % and at 100 %, and the final wait: no room for the judge to act.
    assert plain.maximum_duration_seconds() == 300 + 300 + 900


def test_a_deployment_input_is_merged_over_the_stacks_field_by_field() -> None:
    plan = deploy({"mode": "on", "error_rate": {"confidence": 0.95}})
    assert plan.analysis.mode == "on"
    assert (plan.analysis.error_rate.tolerance, plan.analysis.error_rate.confidence) == (0.5, 0.95)
    assert deploy().analysis.mode == "dry-run"  # the stack's, when the input says nothing


def test_a_default_value_in_the_input_still_overrides_the_stack() -> None:
    assert deploy({"error_rate": {"tolerance": 0.25}}).analysis.error_rate.tolerance == 0.25


@pytest.mark.parametrize(
    ("analysis", "message"),
    [
        ({"mode": "yes"}, "analysis.mode: Input should be 'off', 'dry-run' or 'on'"),
        ({"latency_p99": {"min_periods": 2}}, "analysis.latency_p99: min_periods 2 can never fail"),
        ({"on_inconclusive": {"action": "wait"}}, "analysis.on_inconclusive.action"),
        ({"judge": True}, "analysis.judge: unknown field"),
    ],
)
def test_invalid_deployment_settings_are_refused_naming_the_field(analysis: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        deploy(analysis)


def test_a_combination_invalid_only_when_merged_is_refused() -> None:
    # 99 % with 5 periods is valid, and so is 4 periods at the default 95 %; 99 % with 4 is not.
    strict = JudgeConfig.model_validate({"latency_p99": {"confidence": 0.99, "min_periods": 5}})
    with pytest.raises(InvalidInput, match=r"analysis \(merged over the stack's\): latency_p99: min_periods 4"):
        deploy({"latency_p99": {"min_periods": 4}}, STACK.model_copy(update={"analysis": strict}))


def test_the_stack_context_is_validated_by_the_same_model_and_reaches_the_lambda_compactly() -> None:
    (service,) = load_config({"analysis": '{"mode": "on", "on_inconclusive": {"action": "pause"}}'}).services
    assert (service.analysis.mode, service.analysis.on_inconclusive.action) == ("on", "pause")
    # What cutover/cdk/shifter_functions.py writes: only what the context set (4 KB of environment).
    written = service.analysis.model_dump(mode="json", exclude_unset=True)
    assert written == {"mode": "on", "on_inconclusive": {"action": "pause"}}
    with pytest.raises(ConfigError, match=r"invalid context key 'analysis\.mode'"):
        load_config({"analysis": {"mode": "always"}})


def test_the_lambda_reads_the_stacks_judge_from_its_defaults() -> None:
    from tests.unit.shifter.fakes.context import ENVIRONMENT

    document = ENVIRONMENT.model_dump(by_alias=True) | {
        "CUTOVER_DEFAULTS": {**ENVIRONMENT.defaults.model_dump(exclude={"analysis"}), "analysis": {"mode": "on"}}
    }
    assert ShifterEnvironment.model_validate(document).defaults.analysis.mode == "on"


# ----------------------------------------------------------------- the end of a bake
EXTEND_TWICE = InconclusiveAction(action="extend", max_extensions=2, then="pause")


@pytest.mark.parametrize(
    ("rule", "latest", "extensions", "action"),
    [
        (EXTEND_TWICE, "pass", 0, "done"),
        (EXTEND_TWICE, "fail", 0, "done"),  # a dry-run's fail: it acted on nothing at the check either
        (EXTEND_TWICE, "inconclusive", 0, "extend"),
        (EXTEND_TWICE, None, 1, "extend"),  # no whole period judged yet: inconclusive, never pass
        (EXTEND_TWICE, "inconclusive", 2, "pause"),
        (EXTEND_TWICE.model_copy(update={"then": "rollback"}), "inconclusive", 2, "rollback"),
        (InconclusiveAction(action="pause"), "inconclusive", 0, "pause"),
        (InconclusiveAction(action="rollback"), None, 0, "rollback"),
    ],
)
def test_the_end_of_a_bake(rule: InconclusiveAction, latest: Any, extensions: int, action: str) -> None:
    assert end_of_bake(rule, latest, extensions) == action


def test_dry_run_says_what_it_would_have_done() -> None:
    assert decision_text("extend", "on", EXTEND_TWICE) == "extended the bake by 300 s"
    assert decision_text("rollback-now", "dry-run", EXTEND_TWICE) == "dry-run: would have rolled back"


# ----------------------------------------------------------------- explained
FAILING = check([3000] * 3, [60] * 3, [3000] * 3, [15] * 3, [0.1] * 5, [0.1] * 5)


def test_a_fail_names_the_metric_and_its_numbers() -> None:
    verdict = judge(JudgeConfig(), FAILING)
    cause = failure_cause(verdict, "green", 10)
    assert cause.startswith("judge: error_rate worse on green at 10 %: error rate 2.00 % (180/9000) on green")
    assert "0.50 % (45/9000) on blue" in cause and "baseline: same window, old side" in cause


def test_the_timeline_keeps_every_number_of_a_verdict() -> None:
    verdict = judge(JudgeConfig(), FAILING)
    detail = verdict_detail(verdict, mode="on", weight=10, check=3, decision="rolled back")
    assert (detail["outcome"], detail["baseline"], detail["decision"], detail["check"]) == (
        "fail",
        "same-window",
        "rolled back",
        3,
    )
    rate = detail["metrics"][0]
    assert rate["metric"] == "error_rate" and rate["test"] == "fisher"
    assert rate["new"] == {"side": "green", "periods": 3, "requests": 9000, "errors": 180, "value": 0.02}
    assert rate["baseline"]["errors"] == 45 and rate["p_value"] < 0.01 and rate["threshold"] == 0.00625
    assert "explanation" in rate  # not a pass: why, in words
    latency = detail["metrics"][2]
    assert (latency["metric"], latency["outcome"], latency["test"]) == ("latency_p99", "pass", "mann-whitney")
    assert "explanation" not in latency  # a pass's numbers say it all
    assert detail["window"][0] == verdict.new_window.start.isoformat()


def test_a_bake_with_no_period_to_judge_says_so() -> None:
    assert inconclusive_cause(None, "green", 10, 60) == (
        "judge: no conclusive verdict on green at 10 % after 60 s (no whole 60 s period since the shift)"
    )


# ----------------------------------------------------------------- bounds
def test_the_judges_extensions_and_pause_count_in_the_plans_bounds() -> None:
    judge_on = {"mode": "on", "on_inconclusive": {"action": "extend", "extend_seconds": 600, "max_extensions": 2}}
    plan = deploy(judge_on)
    # A canary: its two bakes and the final wait may each be extended twice and then pause.
    assert plan.judged_bakes() == 3
    assert plan.maximum_duration_seconds() == 300 + 300 + 900 + 3 * (2 * 600 + 3_600)
    off = deploy({"mode": "off"})
    assert estimate(plan).events > estimate(off).events  # the extensions' and the pause's polls
    assert estimate(plan).longest_seconds - estimate(off).longest_seconds == 3 * (2 * 600 + 3_600)
    dry = deploy({"mode": "dry-run"})
    assert dry.maximum_duration_seconds() == off.maximum_duration_seconds()  # a dry-run never waits longer


def test_a_judge_whose_worst_case_exceeds_the_state_machines_timeout_is_refused() -> None:
    long_pause = STACK.model_copy(update={"max_pause_seconds": 4 * 86_400, "analysis": JudgeConfig()})
    request = parse_execution_input(
        {"image": "app:v2", "analysis": {"mode": "on", "on_inconclusive": {"action": "pause"}}}
    )
    assert isinstance(request, DeployInput)
    plan = build_plan(request, long_pause)
    with pytest.raises(InvalidInput, match="the state machine's timeout"):
        check_plan(plan, pipeline=False)
    assert timedelta(seconds=plan.maximum_duration_seconds()) > timedelta(days=10)
