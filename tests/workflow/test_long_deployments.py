"""Long deployments that fit Step Functions' quotas, and plans refused before they start.

The history estimate (shifter/logic/quotas.py) is checked against the histories of real local
runs of the synthesized state machine. Faked, as AWS does it and moto does not: EventBridge
delivering a CloudWatch alarm event (moto emits none). Waits are compressed, not slept."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.local import step_functions_quotas
from cutover.local.runtime import LocalCutover
from cutover.local.time_compression import TimeRecorder
from cutover.shifter.logic.inputs import DeployInput
from cutover.shifter.logic.plan import Defaults, build_plan
from cutover.shifter.logic.quotas import HISTORY_EVENTS_BUDGET, LONG_WAIT_POLL_SECONDS, estimate
from tests.workflow.conftest import wait_for_lock

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:{}"


def stack_defaults(cutover: LocalCutover) -> Defaults:
    configuration = cutover.client("lambda").get_function_configuration(
        FunctionName=cutover.outputs["WorkflowFunctionName"]
    )
    return Defaults.model_validate_json(configuration["Environment"]["Variables"]["CUTOVER_DEFAULTS"])


def expected_events(cutover: LocalCutover, document: dict[str, Any]) -> tuple[int, int]:
    found = estimate(build_plan(DeployInput.model_validate(document), stack_defaults(cutover)))
    return found.expected_events, found.events


@pytest.mark.parametrize(
    "document",
    [
        {"strategy": "all-at-once", "bake_seconds": 0, "termination_wait_seconds": 0},
        {"strategy": "canary"},
        {"strategy": {"steps": [{"weight": 5, "bake_seconds": 90}, {"weight": 40}, {"weight": 100}]}},
        {"strategy": "canary", "bake_seconds": 7_200, "termination_wait_seconds": 3_601},  # sparse polls
    ],
    ids=["all-at-once", "canary", "steps", "long-waits"],
)
def test_the_history_estimate_matches_measured_local_histories(cutover: LocalCutover, document: dict[str, Any]) -> None:
    deploy = {"image": IMAGE.format("v2"), **document}
    execution = cutover.run(deploy, "measured")
    assert execution.status == "SUCCEEDED", execution.cause
    measured = len(cutover.history(execution.arn))
    expected, bound = expected_events(cutover, deploy)
    assert measured == expected
    assert measured < bound <= HISTORY_EVENTS_BUDGET


def test_a_plan_over_the_history_budget_is_refused_before_the_lock(cutover: LocalCutover) -> None:
    # 99 steps of an hour at the stack's 60 s poll: about 54,000 events.
    execution = cutover.run(
        {"image": IMAGE.format("v2"), "strategy": "linear", "linear_step": 1, "bake_seconds": 3_600}, "huge"
    )
    assert (execution.status, execution.error) == ("FAILED", "InvalidInput")
    assert execution.cause is not None and "\n" not in execution.cause
    assert "history events, over the 20,000 Cutover accepts" in execution.cause
    assert cutover.lock() is None and cutover.weights() == {"blue": 100, "green": 0}


def test_a_pipeline_plan_that_outlives_codepipelines_action_timeout_is_refused(cutover: LocalCutover) -> None:
    week_of_bakes = {"image": IMAGE.format("v2"), "strategy": "linear", "linear_step": 14, "bake_seconds": 86_400}
    execution = cutover.run(week_of_bakes, "pipeline-1624a1d1-3699-43f0-8e1e-6bafd7fde791")
    assert (execution.status, execution.error) == ("FAILED", "InvalidInput")
    assert "CodePipeline allows its Step Functions action" in (execution.cause or "")
    assert cutover.lock() is None


def test_a_long_bake_polls_every_ten_minutes_and_an_alarm_event_still_fails_it_at_once(
    cutover: LocalCutover, recorder: TimeRecorder
) -> None:
    arn = cutover.start({"image": IMAGE.format("v2"), "strategy": "canary", "bake_seconds": 86_400}, "long-bake")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0" and "task_token" in lock)
    alarm = "cutover-demo-green-5xx"
    cutover.set_alarm(alarm, "ALARM")
    cutover.deliver_alarm_event(alarm)
    execution = cutover.wait(arn)
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "AlarmFired" in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}
    bake_polls = [seconds for seconds in recorder.waits if seconds == LONG_WAIT_POLL_SECONDS]
    assert 1 <= len(bake_polls) < 10  # a day's bake would poll 144 times; the event ended it first


def test_promote_ends_a_sparse_pause_at_once_through_the_task_token(
    cutover: LocalCutover, recorder: TimeRecorder
) -> None:
    recorder.scale = 0.01  # a 10-minute poll takes 6 s: a promote waiting for it would show
    steps = {"steps": [{"weight": 20, "pause": True}, {"weight": 60}, {"weight": 100}]}
    arn = cutover.start({"image": IMAGE.format("v2"), "strategy": steps, "termination_wait_seconds": 0}, "paused")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0" and "task_token" in lock)
    promote = cutover.run({"action": "promote"}, "promote")
    assert promote.status == "SUCCEEDED", promote.cause
    assert promote.output["summary"]["delivered"] == "at once"
    execution = cutover.wait(arn, timeout_seconds=30)
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert recorder.waits.count(LONG_WAIT_POLL_SECONDS) <= 1  # the pause did not wait out a poll


def test_a_48_hour_termination_wait_runs_to_its_end_within_the_history_budget(
    cutover: LocalCutover, recorder: TimeRecorder
) -> None:
    recorder.scale = 0.00002  # 48 h of compressed waits in about 3.5 s
    deploy = {
        "image": IMAGE.format("v2"),
        "strategy": "all-at-once",
        "bake_seconds": 0,
        "termination_wait_seconds": 172_800,
    }
    execution = cutover.run(deploy, "two-days", timeout_seconds=180)
    assert execution.status == "SUCCEEDED", execution.cause
    measured = len(cutover.history(execution.arn))
    expected, bound = expected_events(cutover, deploy)
    assert measured == expected and bound <= HISTORY_EVENTS_BUDGET
    assert recorder.waits.count(LONG_WAIT_POLL_SECONDS) == 172_800 // LONG_WAIT_POLL_SECONDS
    assert cutover.service("blue")["desired"] == 0  # the old side was kept warm, then scaled down


def test_a_run_over_a_lowered_history_cap_fails_as_on_aws_outside_any_catch(
    cutover: LocalCutover, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why validation holds plans to the budget: at the quota nothing rolls back."""
    monkeypatch.setattr(step_functions_quotas.history, "cap", 110)  # a canary needs 356; 110 falls in its first bake
    execution = cutover.run({"image": IMAGE.format("v2"), "strategy": "canary"}, "capped")
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == "The execution reached the maximum number of history events (110)."
    assert len(cutover.history(execution.arn)) == 110
    assert cutover.weights() == {"blue": 90, "green": 10}  # left split: no Catch ran
    assert cutover.lock() is not None  # only the execution-events Lambda would release it


def largest_state_bytes(history: list[dict[str, Any]]) -> int:
    """The largest state input or output recorded in an execution's history."""
    sizes = [0]
    for event in history:
        for details in event.values():
            if isinstance(details, dict):
                for key in ("input", "output"):
                    if isinstance(details.get(key), str):
                        sizes.append(len(details[key].encode()))
    return max(sizes)


def test_the_largest_accepted_deployment_keeps_its_state_well_under_256_kib(cutover: LocalCutover) -> None:
    smoke = [{"path": f"/check/{n}", "method": "POST", "body": "x" * 1_450} for n in range(20)]
    largest = {
        "image": IMAGE.format("v2"),
        "strategy": "linear",
        "linear_step": 1,  # 100 steps: the longest timeline
        "bake_seconds": 0,
        "termination_wait_seconds": 0,
        "smoke_tests": smoke,
        "reason": "r" * 1_000,
    }
    execution = cutover.run(largest, "largest", timeout_seconds=120)
    assert execution.status == "SUCCEEDED", execution.cause
    size = largest_state_bytes(cutover.history(execution.arn))
    assert size < 128 * 1024, size  # half the quota
