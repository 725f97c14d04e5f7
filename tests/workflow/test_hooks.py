"""Lifecycle hooks: user Lambdas before traffic and after 100 %; a failure rolls back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from tests.workflow import hook_functions
from tests.workflow.conftest import local_cutover

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
ACCOUNT_REGION = "eu-west-1:123456789012"
BEFORE = f"arn:aws:lambda:{ACCOUNT_REGION}:function:cutover-hook-migrations"
AFTER = f"arn:aws:lambda:{ACCOUNT_REGION}:function:cutover-hook-verify"
# Task timeouts run in real time locally: a short hook timeout keeps the test short.
HOOKS = {"before_traffic": [BEFORE], "after_traffic": [AFTER], "timeout_seconds": 2}


@pytest.fixture
def cutover(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: TestRouteStandIn
) -> Iterator[LocalCutover]:
    with local_cutover(monkeypatch, test_route, hooks=HOOKS) as local:
        hook_functions.create_hook_functions(local, (BEFORE, AFTER))
        yield local


def test_passing_hooks_see_the_deployment_and_it_succeeds(cutover: LocalCutover) -> None:
    execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once"}, "hooks-pass")
    assert execution.status == "SUCCEEDED", execution.cause
    before, after = hook_functions.RECEIVED
    assert (before["hook"], after["hook"]) == ("before_traffic", "after_traffic")
    assert before["image"] == IMAGE_V2 and before["new_side"] == "green" and before["old_side"] == "blue"
    assert before["execution"].endswith(":hooks-pass")
    assert cutover.weights() == {"blue": 0, "green": 100}


def test_a_hook_answering_failed_rolls_back_before_traffic_with_its_reason(cutover: LocalCutover) -> None:
    hook_functions.BEHAVIOUR["before_traffic"] = "fail"
    execution = cutover.run({"image": IMAGE_V2}, "hooks-fail")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "HookFailed: before_traffic hook cutover-hook-migrations: schema version 41 expected" in (
        execution.cause or ""
    )
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert [e["hook"] for e in hook_functions.RECEIVED] == ["before_traffic"]


def test_a_hook_answering_failed_without_a_reason_still_rolls_back(cutover: LocalCutover) -> None:
    hook_functions.BEHAVIOUR["after_traffic"] = "fail_without_reason"
    execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once"}, "hooks-fail-no-reason")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert "after_traffic hook cutover-hook-verify: answered FAILED without a reason" in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}  # back, although it had reached 100 %
    assert cutover.lock() is None


@pytest.mark.parametrize(
    ("stage", "answer", "hook", "weights_when_it_answered"),
    [
        ("before_traffic", "a_string", "cutover-hook-migrations", {"blue": 100, "green": 0}),
        ("after_traffic", "status_42", "cutover-hook-verify", {"blue": 0, "green": 100}),
    ],
)
def test_a_hook_answering_neither_nothing_nor_a_status_rolls_back_cleanly(
    cutover: LocalCutover, stage: str, answer: str, hook: str, weights_when_it_answered: dict[str, int]
) -> None:
    hook_functions.BEHAVIOUR[stage] = answer
    hook_functions.OBSERVE.append(cutover.weights)
    execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once"}, f"hooks-{answer.replace('_', '-')}")
    # Not States.Runtime: the answer is judged by a Choice that tests each field before reading it.
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    expected = f"HookFailed: {stage} hook {hook}: unexpected answer (a hook answers nothing, or a status SUCCEEDED"
    assert expected in (execution.cause or ""), execution.cause
    assert hook_functions.OBSERVED[-1] == weights_when_it_answered
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.lock() is None


def test_hooks_that_return_nothing_pass(cutover: LocalCutover) -> None:
    hook_functions.BEHAVIOUR.update(before_traffic="nothing", after_traffic="nothing")
    execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once"}, "hooks-nothing")
    assert execution.status == "SUCCEEDED", execution.cause
    assert [e["hook"] for e in hook_functions.RECEIVED] == ["before_traffic", "after_traffic"]
    assert cutover.weights() == {"blue": 0, "green": 100}


def test_a_hook_that_errors_rolls_back(cutover: LocalCutover) -> None:
    hook_functions.BEHAVIOUR["after_traffic"] = "raise"
    execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once"}, "hooks-raise")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "could not reach the database" in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}  # back, although it had reached 100 %
    assert cutover.service("green")["desired"] == 0


def test_a_hook_that_times_out_rolls_back(cutover: LocalCutover) -> None:
    hook_functions.BEHAVIOUR["before_traffic"] = "hang"
    execution = cutover.run({"image": IMAGE_V2}, "hooks-timeout", timeout_seconds=60)
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "States.Timeout" in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}


def test_hooks_do_not_run_for_a_switch(cutover: LocalCutover) -> None:
    cutover.client("ecs").update_service(
        cluster=cutover.outputs["ClusterName"], service=cutover.outputs["GreenServiceName"], desiredCount=1
    )
    execution = cutover.run({"action": "switch", "to": "green"}, "switch")
    assert execution.status == "SUCCEEDED", execution.cause
    assert hook_functions.RECEIVED == []


def test_a_deployment_can_switch_one_stage_off_and_keep_the_other(cutover: LocalCutover) -> None:
    hook_functions.BEHAVIOUR["before_traffic"] = "fail"  # would roll back if it ran
    execution = cutover.run(
        {"image": IMAGE_V2, "strategy": "all-at-once", "hooks": {"before_traffic": False}}, "hooks-before-off"
    )
    assert execution.status == "SUCCEEDED", execution.cause
    assert [e["hook"] for e in hook_functions.RECEIVED] == ["after_traffic"]
    assert cutover.weights() == {"blue": 0, "green": 100}
