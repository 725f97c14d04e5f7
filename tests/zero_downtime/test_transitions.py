"""Zero failed production requests through every transition, on AWS's timing (conftest.py).

Each test drives one transition (or two, where the second needs the first's state) through
the real synthesized state machine, with the drivers bench figure 8 runs too
(cutover/local/transition_drivers.py), and asserts what a user would notice: the outcome, where
traffic ends, and that the platform failed no production request while it ran."""

from __future__ import annotations

import math
from typing import Any

import pytest

from cutover.local.load_counts import BUCKET_SECONDS
from cutover.local.loaded_stack import Transition
from cutover.local.transition_drivers import ALARM_AFTER_ERRORS, CANARY_WEIGHT, HOOK_FAILURE, REGISTRY
from tests.zero_downtime.conftest import RATE_PER_SECOND, Stage

pytestmark = pytest.mark.load

V2 = f"{REGISTRY}:v2"
SENT_SHARE = 0.9  # of the asked rate, at least (assert_none_lost says why)
EDGE_REQUESTS = 10  # requests the window's edges can miss


def assert_none_lost(stage: Stage, transition: Transition) -> None:
    window, seconds = transition.window, transition.seconds
    assert window.platform_failures == 0, (
        window.failure_examples,
        f"longest garbage-collector pause of this process: {stage.gc_pauses.longest_seconds:.2f} s",
    )
    # The load really ran through the transition (a starved generator would prove nothing): answers
    # in every half second of it, and the asked rate sent. The generator runs in its own process
    # (load_generator.py) and counts the slots of its schedule it sent and those it skipped when it
    # fell behind (late: its 64 workers all waiting on answers, or its process without CPU). On the
    # 2-core machine (2026-12-06, load average 4-18, about 50 transitions) most sent their 100/s with 0
    # late, within 10 requests of the schedule (the snapshots at the window's edges are a pipe's
    # round trip apart from its timer); the worst were 13 late of 1,905 and, in an all-at-once
    # shift onto a just-started process with 62 requests in flight, 29 late of 673 (95 % sent).
    # So: at least 90 % of the asked 100/s was sent. The 70 % of answers asserted before was room
    # for a router in the harness's process (~60/s, 2026-12-03), which it no longer is.
    answered = {round(b.start_seconds / BUCKET_SECONDS) for b in window.series if sum(b.by_version.values())}
    whole = range(
        math.ceil((window.at_seconds - seconds) / BUCKET_SECONDS), math.floor(window.at_seconds / BUCKET_SECONDS)
    )
    assert set(whole) <= answered, ("half a second without an answer", window.series)
    scheduled = RATE_PER_SECOND * seconds
    assert window.sent >= SENT_SHARE * scheduled - EDGE_REQUESTS, (
        f"{window.sent} requests sent of {scheduled:.0f} scheduled, {window.late} late",
        window.series,
    )


def assert_on(stage: Stage, side: str) -> None:
    assert stage.local.weights() == {side: 100, "blue" if side == "green" else "green": 0}


@pytest.mark.parametrize(
    "strategy",
    [{"strategy": "canary"}, {"strategy": "linear", "linear_step": 25}, {"strategy": "all-at-once"}],
    ids=["canary", "linear", "all-at-once"],
)
def test_a_deployment_loses_no_request(stage: Stage, strategy: dict[str, Any]) -> None:
    deployed = stage.drive.deploy(V2, strategy)
    assert deployed.execution.status == "SUCCEEDED", deployed.execution.cause
    assert_on(stage, "green")
    assert "v2" in deployed.window.by_version and "v1" in deployed.window.by_version
    assert_none_lost(stage, deployed)


def test_explicit_steps_with_a_pause_and_a_promote_lose_no_request(stage: Stage) -> None:
    promoted = stage.drive.pause_and_promote(V2)
    assert promoted.execution.status == "SUCCEEDED", promoted.execution.cause
    assert_on(stage, "green")
    assert_none_lost(stage, promoted)


@pytest.mark.parametrize("path", ["event", "poll"])
def test_an_alarm_rollback_loses_no_request(stage: Stage, path: Any) -> None:
    rolled = stage.drive.alarm_rollback(V2, path)
    execution = rolled.execution
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "cutover-demo-green-5xx" in (execution.cause or "")
    assert_on(stage, "blue")
    assert stage.local.service("green")["desired"] == 0
    assert_none_lost(stage, rolled)


def test_a_bad_releases_own_errors_are_bounded_by_its_canary_weight(stage: Stage) -> None:
    """A release answering 500 to everything gets a 10 % canary until its alarm fires: its errors
    are its own cost (release errors), never lost requests, and no more than its weight's share."""
    rolled = stage.drive.bad_canary()
    execution, window = rolled.execution, rolled.window
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "AlarmFired" in (execution.cause or "")
    assert_on(stage, "blue")
    assert window.release_errors >= ALARM_AFTER_ERRORS
    assert window.release_errors == window.by_version["v-broken"]  # every answer of the bad release, no other
    # Weighted routing per request: twice the weight's share leaves room for chance, not for more traffic.
    assert window.release_errors <= 2 * CANARY_WEIGHT / 100 * window.total, (window.release_errors, window.total)
    assert_none_lost(stage, rolled)


def test_a_failed_smoke_test_loses_no_request(stage: Stage) -> None:
    failed = stage.drive.failed_smoke_test()
    assert (failed.execution.status, failed.execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "SmokeTestFailed" in (failed.execution.cause or "")
    assert_on(stage, "blue")
    assert failed.window.by_version.keys() == {"v1"}  # the broken release never got production traffic
    assert_none_lost(stage, failed)


def test_a_failed_hook_loses_no_request(stage: Stage) -> None:
    failed = stage.drive.failed_hook(V2)
    assert (failed.execution.status, failed.execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "HookFailed" in (failed.execution.cause or "") and HOOK_FAILURE in (failed.execution.cause or "")
    assert_on(stage, "blue")
    assert_none_lost(stage, failed)


def test_an_abort_mid_bake_loses_no_request(stage: Stage) -> None:
    aborted = stage.drive.abort_mid_bake(V2)
    assert (aborted.execution.status, aborted.execution.error) == ("FAILED", "DeploymentRolledBack")
    assert_on(stage, "blue")
    assert "v2" in aborted.window.by_version  # green had half the traffic when the abort came
    assert_none_lost(stage, aborted)


def test_an_abort_in_the_final_wait_loses_no_request(stage: Stage) -> None:
    aborted = stage.drive.abort_in_final_wait(V2)
    assert (aborted.execution.status, aborted.execution.error) == ("FAILED", "DeploymentRolledBack")
    assert_on(stage, "blue")
    assert_none_lost(stage, aborted)


def test_a_rollback_to_a_cold_side_and_a_switch_to_a_warm_one_lose_no_request(stage: Stage) -> None:
    deployed = stage.drive.deploy(V2, {"strategy": "all-at-once"})
    assert deployed.execution.status == "SUCCEEDED", deployed.execution.cause
    assert stage.local.service("blue")["desired"] == 0  # v1's side is cold: the rollback scales it up
    rolled = stage.drive.rollback()
    assert rolled.execution.status == "SUCCEEDED", rolled.execution.cause
    assert_on(stage, "blue")
    assert_none_lost(stage, rolled)
    switched = stage.drive.switch("green")
    assert switched.execution.status == "SUCCEEDED", switched.execution.cause
    assert_on(stage, "green")
    assert_none_lost(stage, switched)


def test_control_a_rollback_that_does_not_wait_for_propagation_loses_requests(control_stage: Stage) -> None:
    """The same abort on a stack whose `alb_propagation_seconds` is 0: the rollback scales green
    down while ALB nodes still route half the traffic there. It must lose requests, or this
    suite could not tell a safe rollback from an unsafe one."""
    aborted = control_stage.drive.abort_mid_bake(V2, "abort-no-wait")
    assert (aborted.execution.status, aborted.execution.error) == ("FAILED", "DeploymentRolledBack")
    assert "v2" in aborted.window.by_version  # green had half the traffic when the abort came
    assert aborted.window.platform_failures > 0


def test_a_forced_switch_loses_no_request(stage: Stage) -> None:
    deployed = stage.drive.deploy(V2, {"strategy": "all-at-once"})
    assert deployed.execution.status == "SUCCEEDED", deployed.execution.cause
    assert stage.drive.rollback().execution.status == "SUCCEEDED"
    # green kept its tasks (a rollback leaves the other side warm): force skips the smoke tests only
    switched = stage.drive.switch("green", force=True)
    assert switched.execution.status == "SUCCEEDED", switched.execution.cause
    assert_on(stage, "green")
    assert_none_lost(stage, switched)


def test_a_repair_after_an_incomplete_rollback_loses_no_request(stage: Stage) -> None:
    """The rollback's ModifyListener is denied (faked: moto's backend raises AccessDenied, as AWS
    would once a policy changed under the running deployment), so traffic stays split and the
    lock is quarantined; `repair` then puts all of it on blue under load."""
    failed = stage.drive.incomplete_rollback(V2)
    assert (failed.execution.status, failed.execution.error) == ("FAILED", "RollbackIncomplete")
    assert stage.local.weights() == {"blue": 50, "green": 50}
    repaired = stage.drive.repair()
    assert repaired.execution.status == "SUCCEEDED", repaired.execution.cause
    assert_on(stage, "blue")
    assert stage.local.lock() is None
    assert_none_lost(stage, repaired)
