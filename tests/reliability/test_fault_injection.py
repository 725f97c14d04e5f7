"""Faults at every step: traffic always ends 100 % on one healthy side, the lock is free,
the outcome says what happened (the invariant, tests/reliability/invariant.py).

The full campaign (>= 200 seeded runs) is `make reliability`; this is its bounded subset
plus the named scenarios. What is faked is described in tests/reliability/faults.py."""

from __future__ import annotations

import pytest

from cutover.local import runtime
from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from cutover.shifter.contract import StepName
from tests.reliability.campaign import run_campaign
from tests.reliability.faults import Fault, FaultInjector
from tests.reliability.invariant import snapshot, violations

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
_injector: list[FaultInjector] = []


@pytest.fixture
def injector(cutover: LocalCutover) -> FaultInjector:
    if not _injector:  # wraps the runtime once per process
        _injector.append(FaultInjector())
        _injector[0].install(runtime.lambda_runtime)
    _injector[0].disarm()
    return _injector[0]


def run_with(
    cutover: LocalCutover, injector: FaultInjector, faults: list[Fault], document: dict[str, object], name: str
) -> tuple[str, list[str]]:
    before = snapshot(cutover)
    injector.arm(faults)
    try:
        execution = cutover.run(document, name)
    finally:
        injector.disarm()
    outcome = execution.status if execution.status == "SUCCEEDED" else str(execution.error)
    return outcome, violations(cutover, execution, before, str(document["image"]))


def test_a_lambda_crash_in_the_middle_of_shifting_rolls_back_cleanly(
    cutover: LocalCutover, injector: FaultInjector
) -> None:
    # The state machine retries a timed-out invocation twice (cutover/cdk/traffic_shifter.py,
    # LAMBDA_TIMEOUT_ERRORS): a crash that outlives those retries rolls back.
    crash_second_shift = [Fault("crash", "shift_weights", 3, after=1)]
    crashes_before = injector.log.injected["crash:shift_weights"]  # the injector's log spans the module
    outcome, found = run_with(cutover, injector, crash_second_shift, {"image": IMAGE_V2, "strategy": "canary"}, "crash")
    assert (outcome, found) == ("DeploymentRolledBack", [])
    assert injector.log.injected["crash:shift_weights"] - crashes_before == 3
    assert cutover.weights() == {"blue": 100, "green": 0}


def test_a_single_lambda_crash_is_retried_and_the_deployment_goes_on(
    cutover: LocalCutover, injector: FaultInjector
) -> None:
    crash_once = [Fault("crash", "shift_weights", 1, after=1)]
    crashes_before = injector.log.injected["crash:shift_weights"]
    outcome, found = run_with(cutover, injector, crash_once, {"image": IMAGE_V2, "strategy": "canary"}, "crash-once")
    assert (outcome, found) == ("SUCCEEDED", [])
    assert injector.log.injected["crash:shift_weights"] - crashes_before == 1
    assert cutover.weights() == {"blue": 0, "green": 100}


def test_failures_that_outlive_the_sdk_are_retried_by_the_state_machine(
    cutover: LocalCutover, injector: FaultInjector, recorder: TimeRecorder
) -> None:
    retries_before = len(recorder.retry_sleeps)
    # More than botocore's 8 attempts. (Throttles work the same but slow the client down for
    # real: adaptive mode rate-limits after throttling, as it should.)
    faults = [Fault("drop", "ModifyListener", 9)]
    outcome, found = run_with(cutover, injector, faults, {"image": IMAGE_V2, "strategy": "all-at-once"}, "throttled")
    assert (outcome, found) == ("SUCCEEDED", [])
    assert len(recorder.retry_sleeps) > retries_before  # the state machine's Retry ran
    assert cutover.weights() == {"blue": 0, "green": 100}


def test_a_fault_during_the_rollback_is_retried_and_the_rollback_completes(
    cutover: LocalCutover, injector: FaultInjector, test_route: TestRouteStandIn
) -> None:
    from cutover.local.test_route_stand_in import SideBehaviour

    test_route.sides["green"] = SideBehaviour(status=500)
    faults = [Fault("crash", StepName.ROLLBACK, 1), Fault("drop", "UpdateService", 9)]
    outcome, found = run_with(cutover, injector, faults, {"image": IMAGE_V2}, "rollback-faults")
    assert (outcome, found) == ("DeploymentRolledBack", [])
    assert injector.log.injected["crash:rollback"] == 1
    assert cutover.service("green")["desired"] == 0


def test_a_bounded_seeded_campaign_keeps_the_invariant(
    cutover: LocalCutover, injector: FaultInjector, test_route: TestRouteStandIn
) -> None:
    report = run_campaign(cutover, test_route, injector, runs=6, seed=4242)
    assert [run.violations for run in report.runs if run.violations] == []
    assert sum(len(run.faults) for run in report.runs) >= 3  # it did inject (this seed draws 3)
    assert len(report.outcomes()) >= 2  # and the runs ended in different ways


def test_a_crash_after_the_old_side_is_scaled_down_never_rolls_back_onto_it(
    cutover: LocalCutover, injector: FaultInjector
) -> None:
    """Found by the campaign: a rollback from `finish` sent traffic back to a side with no tasks."""
    once = [Fault("crash", "finish", 1)]
    outcome, found = run_with(cutover, injector, once, {"image": IMAGE_V2, "strategy": "all-at-once"}, "retried")
    assert (outcome, found) == ("SUCCEEDED", [])  # the committed steps are retried

    image_v3 = IMAGE_V2.replace(":v2", ":v3")
    always = [Fault("crash", "finish", 10)]
    before = snapshot(cutover)
    injector.arm(always)
    try:
        execution = cutover.run({"image": image_v3, "strategy": "all-at-once"}, "finish-fails")
    finally:
        injector.disarm()
    assert (execution.status, execution.error) == ("FAILED", "FinishIncomplete")
    assert cutover.weights() == {"blue": 100, "green": 0}  # the new side keeps the traffic
    assert cutover.service("blue")["image"] == image_v3 and cutover.service("blue")["desired"] == 2
    cutover.deliver_execution_event(execution.arn, "FAILED")  # EventBridge releases its lock
    assert violations(cutover, execution, before, image_v3) == []
