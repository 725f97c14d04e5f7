"""on_step and on_rollback hooks: user Lambdas after each shift (a failure rolls back) and after a
rollback (a failure is recorded and announced, and changes nothing); per-deployment switches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from cutover.shifter.logic.quotas import ON_ROLLBACK_HOOK_EVENTS, ON_ROLLBACK_STAGE_EVENTS
from tests.workflow import hook_functions
from tests.workflow.conftest import Notifications, local_cutover

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
ON_STEP = "arn:aws:lambda:eu-west-1:123456789012:function:cutover-hook-synthetic-order"
# Task timeouts run in real time locally: a short hook timeout keeps the test short.
HOOKS = {"on_step": [ON_STEP], "timeout_seconds": 2}
CANARY = {"image": IMAGE_V2, "strategy": "canary", "canary_weight": 10, "bake_seconds": 60}


@pytest.fixture
def cutover(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: TestRouteStandIn
) -> Iterator[LocalCutover]:
    with local_cutover(monkeypatch, test_route, hooks=HOOKS) as local:
        hook_functions.create_hook_functions(local, (ON_STEP,))
        yield local


def test_an_on_step_hook_sees_each_step_weight_and_both_sides(cutover: LocalCutover) -> None:
    execution = cutover.run(CANARY, "on-step-pass")
    assert execution.status == "SUCCEEDED", execution.cause
    assert [(e["hook"], e["weight"], e["step"]) for e in hook_functions.RECEIVED] == [
        ("on_step", 10, 1),
        ("on_step", 100, 2),
    ]
    first = hook_functions.RECEIVED[0]
    assert (first["new_side"], first["old_side"], first["image"]) == ("green", "blue", IMAGE_V2)
    assert cutover.weights() == {"blue": 0, "green": 100}


@pytest.mark.parametrize(
    ("behaviour", "cause"),
    [
        ("fail", "on_step hook cutover-hook-synthetic-order: schema version 41 expected"),
        ("fail_without_reason", "on_step hook cutover-hook-synthetic-order: answered FAILED without a reason"),
        ("raise", "could not reach the database"),
        ("hang", "States.Timeout"),
    ],
)
def test_an_on_step_hook_failing_at_the_first_step_rolls_back(
    cutover: LocalCutover, behaviour: str, cause: str
) -> None:
    hook_functions.BEHAVIOUR["on_step"] = behaviour
    execution = cutover.run(CANARY, f"on-step-{behaviour.replace('_', '-')}", timeout_seconds=60)
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert cause in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert [e["weight"] for e in hook_functions.RECEIVED] == [10]  # never reached the 100 % step
    assert cutover.lock() is None


# What a hook may answer (docs/workflow.md, Lifecycle hooks): nothing or {"status": "SUCCEEDED"}
# passes, {"status": "FAILED", "reason": …} fails; anything else is not a pass.
UNEXPECTED = (
    "on_step hook cutover-hook-synthetic-order: "
    "unexpected answer (a hook answers nothing, or a status SUCCEEDED or FAILED)"
)


@pytest.mark.parametrize(
    ("answer", "cause"),
    [
        ("a_string", UNEXPECTED),
        ("a_list", UNEXPECTED),
        ("an_empty_list", UNEXPECTED),
        ("no_status", UNEXPECTED),
        ("status_42", UNEXPECTED),
        ("unknown_status", UNEXPECTED),
        ("reason_42", "on_step hook cutover-hook-synthetic-order: answered FAILED without a reason"),
    ],
)
def test_an_on_step_hook_answering_anything_but_a_pass_rolls_back_cleanly(
    cutover: LocalCutover, answer: str, cause: str
) -> None:
    hook_functions.BEHAVIOUR["on_step"] = answer
    execution = cutover.run(CANARY, f"on-step-{answer.replace('_', '-')}")
    # Not States.Runtime: the answer is judged in states that cannot fail, then rolled back.
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert f"HookFailed: {cause}" in (execution.cause or ""), execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert [e["weight"] for e in hook_functions.RECEIVED] == [10]
    assert cutover.lock() is None
    (record,) = cutover.deployments()
    assert record.outcome == "ROLLED_BACK"


def test_an_on_step_hook_that_returns_nothing_passes(cutover: LocalCutover) -> None:
    hook_functions.BEHAVIOUR["on_step"] = "nothing"
    execution = cutover.run(CANARY, "on-step-nothing")
    assert execution.status == "SUCCEEDED", execution.cause
    assert [e["weight"] for e in hook_functions.RECEIVED] == [10, 100]
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.lock() is None


# ---------------------------------------------------------------------------- on_rollback
FLAGS_OFF = "arn:aws:lambda:eu-west-1:123456789012:function:cutover-hook-flags-off"
AUDIT = "arn:aws:lambda:eu-west-1:123456789012:function:cutover-hook-audit"
WITH_ROLLBACK_HOOKS = {"on_step": [ON_STEP], "on_rollback": [FLAGS_OFF, AUDIT], "timeout_seconds": 2}
# The on_step hook failing at the 10 % step is the rollback's trigger: traffic had moved.
TRIGGER_CAUSE = "HookFailed: on_step hook cutover-hook-synthetic-order: schema version 41 expected, found 40"


@pytest.fixture
def rolling_back(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: TestRouteStandIn
) -> Iterator[LocalCutover]:
    with local_cutover(monkeypatch, test_route, hooks=WITH_ROLLBACK_HOOKS) as local:
        hook_functions.create_hook_functions(local, (ON_STEP, FLAGS_OFF, AUDIT))
        hook_functions.BEHAVIOUR["on_step"] = "fail"
        # What an on_rollback hook sees when it runs: the listener and the lock.
        hook_functions.OBSERVE.append(lambda: (local.weights(), local.lock()))
        yield local


def rollback_hook_calls() -> list[tuple[str, dict[str, Any], Any]]:
    return [
        (name, event, seen)
        for name, event, seen in zip(
            hook_functions.CALLED, hook_functions.RECEIVED, hook_functions.OBSERVED, strict=True
        )
        if event["hook"] == "on_rollback"
    ]


def assert_rolled_back_as_without_hooks(cutover: LocalCutover, cause: str | None) -> None:
    """The rollback's own outcome, whatever its on_rollback hooks did."""
    assert cause is not None and cause.startswith(TRIGGER_CAUSE), cause
    assert "Traffic is 100 % on blue (" in cause and cause.endswith("; green scaled to 0."), cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0
    assert cutover.lock() is None


def test_on_rollback_hooks_run_in_order_once_traffic_is_back_with_the_trigger_and_cause(
    rolling_back: LocalCutover,
) -> None:
    notifications = Notifications(rolling_back)
    execution = rolling_back.run(CANARY, "on-rollback-pass")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert_rolled_back_as_without_hooks(rolling_back, execution.cause)
    calls = rollback_hook_calls()
    assert [name for name, _, _ in calls] == ["cutover-hook-flags-off", "cutover-hook-audit"]
    _, event, (weights, lock) = calls[0]
    assert (weights, lock) == ({"blue": 100, "green": 0}, None)  # back on the old side, lock released
    assert (event["trigger"], event["cause"]) == ("HookFailed", TRIGGER_CAUSE.removeprefix("HookFailed: "))
    assert (event["new_side"], event["old_side"], event["image"]) == ("green", "blue", IMAGE_V2)
    assert str(event["execution"]).endswith(":on-rollback-pass") and event["service"] == "demo"
    assert str(event["new_task_definition"]).startswith("arn:aws:ecs:")
    (record,) = rolling_back.deployments()
    assert record.outcome == "ROLLED_BACK" and record.hook_failures == ()
    assert not [m for m in notifications.messages() if "on_rollback" in m["subject"]]


@pytest.mark.parametrize(
    ("behaviour", "failure"),
    [
        ("fail", "answered FAILED: schema version 41 expected, found 40"),
        ("fail_without_reason", "answered FAILED without a reason"),  # a malformed answer
        ("raise", "MigrationCheckFailed: could not reach the database"),
        ("hang", "States.Timeout"),
        # Not a pass either (the rule of every stage): recorded like a failure.
        ("a_string", 'unexpected answer "all good"'),
        ("an_empty_list", "unexpected answer []"),
        ("status_42", 'unexpected answer {"status": 42}'),
        ("unknown_status", 'unexpected answer {"status": "PASSED"}'),
        ("reason_42", "answered FAILED without a reason"),
    ],
)
def test_a_failing_on_rollback_hook_is_recorded_and_announced_and_changes_nothing(
    rolling_back: LocalCutover, behaviour: str, failure: str
) -> None:
    hook_functions.BEHAVIOUR["cutover-hook-flags-off"] = behaviour
    notifications = Notifications(rolling_back)
    execution = rolling_back.run(CANARY, f"on-rollback-{behaviour.replace('_', '-')}", timeout_seconds=60)
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert_rolled_back_as_without_hooks(rolling_back, execution.cause)
    # The next hook still ran.
    assert [name for name, _, _ in rollback_hook_calls()] == ["cutover-hook-flags-off", "cutover-hook-audit"]
    (record,) = rolling_back.deployments()
    assert record.outcome == "ROLLED_BACK"
    ((hook, recorded),) = [(f.hook, f.failure) for f in record.hook_failures]
    assert hook == "cutover-hook-flags-off" and recorded.startswith(failure), recorded
    assert record.trigger == execution.cause  # the rollback's own cause, unchanged
    (message,) = [m for m in notifications.messages() if m["body"]["event"] == "rollback_hook_failed"]
    assert message["subject"] == "Cutover demo: on_rollback hook cutover-hook-flags-off failed"
    assert message["body"]["hook_failure"] == recorded and message["body"]["cause"] == execution.cause
    # What the history estimate allows them (shifter/logic/quotas.py), one failing and one passing.
    events = rolling_back.history(execution.arn)
    entered = [e.get("stateEnteredEventDetails", {}).get("name") for e in events]
    stage_and_hooks = events[entered.index("Run on_rollback hooks?") : entered.index("Deployment failed")]
    assert len(stage_and_hooks) <= ON_ROLLBACK_STAGE_EVENTS + 2 * ON_ROLLBACK_HOOK_EVENTS, [
        e["type"] for e in stage_and_hooks
    ]


def test_an_on_rollback_hook_that_returns_nothing_passes(rolling_back: LocalCutover) -> None:
    hook_functions.BEHAVIOUR["cutover-hook-flags-off"] = "nothing"
    notifications = Notifications(rolling_back)
    execution = rolling_back.run(CANARY, "on-rollback-nothing")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert_rolled_back_as_without_hooks(rolling_back, execution.cause)
    assert [name for name, _, _ in rollback_hook_calls()] == ["cutover-hook-flags-off", "cutover-hook-audit"]
    (record,) = rolling_back.deployments()
    assert record.hook_failures == ()
    assert not [m for m in notifications.messages() if m["body"]["event"] == "rollback_hook_failed"]


def test_a_deployment_can_switch_its_on_rollback_hooks_off(rolling_back: LocalCutover) -> None:
    execution = rolling_back.run({**CANARY, "hooks": {"on_rollback": False}}, "on-rollback-off")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert_rolled_back_as_without_hooks(rolling_back, execution.cause)
    assert rollback_hook_calls() == []
    assert hook_functions.CALLED == ["cutover-hook-synthetic-order"]


def test_a_deployment_can_switch_its_on_step_hooks_off(cutover: LocalCutover) -> None:
    execution = cutover.run({**CANARY, "hooks": {"on_step": False}}, "on-step-off")
    assert execution.status == "SUCCEEDED", execution.cause
    assert hook_functions.RECEIVED == []
    assert cutover.weights() == {"blue": 0, "green": 100}


@pytest.mark.parametrize(
    ("switches", "message"),
    [
        ({"on_rollbak": False}, "hooks.on_rollbak: unknown hook stage (known: before_traffic, after_traffic, on_step"),
        ({"on_step": "no"}, 'hooks.on_step: expected true or false, got "no"'),
        (["on_step"], "hooks: expected an object of true/false per stage"),
    ],
)
def test_a_bad_hook_switch_is_rejected_before_anything_is_touched(
    cutover: LocalCutover, switches: object, message: str
) -> None:
    before = cutover.weights()
    execution = cutover.run({**CANARY, "hooks": switches}, "bad-switch")
    assert (execution.status, execution.error) == ("FAILED", "InvalidInput")
    assert message in (execution.cause or "")
    assert cutover.weights() == before and cutover.lock() is None and cutover.deployments() == []
    assert hook_functions.RECEIVED == []
