"""promote, abort and rollback delivered to a running deployment, and the quarantine of a
rollback that did not complete, against the fakes (the lock item, task tokens, SNS)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cutover.shifter.logic.errors import NoDeploymentRunning
from cutover.shifter.logic.state import CaughtError, Operation, WorkflowState
from cutover.shifter.readers.lock import Lock
from cutover.shifter.steps import rollback, signals
from tests.unit.shifter.fakes.context import World, world
from tests.unit.shifter.fakes.deployment import EXECUTION, deploying

RUNNING = "arn:aws:states:eu-west-1:123456789012:execution:shifter:deploy-7"
TOKEN = "token-1"


@pytest.fixture(autouse=True)
def _no_metric_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


def running(w: World, **changes: object) -> None:
    """deploy-7 runs registry/app:new; its bake waits on TOKEN unless `changes` say otherwise."""
    w.table.lock = replace(
        Lock(
            owner=RUNNING,
            acquired_at="2026-12-02T19:00:00+00:00",
            expires_at=2_000_000_000,
            details={"action": "deploy", "image": "registry/app:new"},
        ),
        **changes,  # type: ignore[arg-type]
    )
    if w.table.lock.task_token:
        w.task_tokens.waiting.add(w.table.lock.task_token)


def signal(action: str, reason: str | None = None) -> WorkflowState:
    return WorkflowState(
        execution=EXECUTION,
        execution_name="run-1",
        started_at="2026-12-02T20:00:00+00:00",
        operation=Operation(action=action, reason=reason),
    )


def test_an_abort_fails_the_waiting_bake_at_once_and_records_why() -> None:
    w = world()
    running(w, task_token=TOKEN, task_key="step:0")
    state = signals.signal_running_deployment(signal("abort", "bad image"), w.ctx)
    assert w.task_tokens.results == [(TOKEN, "Aborted")]
    assert w.table.lock is not None and w.table.lock.requests == ("abort",)
    assert w.table.lock.trigger == "abort requested by run-1: bad image"
    assert state.handled and state.outcome is not None
    assert state.outcome.cause == "abort delivered to deploy-7; it takes effect at once"
    assert state.outcome.summary == {
        "action": "abort",
        "deployment": RUNNING,
        "image": "registry/app:new",
        "delivered": "at once",
    }
    assert [r.outcome for r in w.table.records] == ["SUCCEEDED"]
    assert w.notifier.messages[-1][0] == "Cutover app: abort requested for deploy-7"


def test_a_signal_with_no_bake_waiting_takes_effect_at_the_next_check() -> None:
    w = world()
    running(w)
    state = signals.signal_running_deployment(signal("abort"), w.ctx)
    assert state.outcome is not None and state.outcome.cause.endswith("at its next check")
    assert w.table.lock is not None and w.table.lock.trigger == "abort requested by run-1: abort requested"


@pytest.mark.parametrize(
    ("task_key", "paused_key", "at_once"),
    [
        ("step:0", None, True),  # a step's bake
        ("final:2", "final:2", True),  # a final wait the judge paused for a promote
        ("final:2", None, False),  # a final wait that is not paused: a promote does not shorten it
        ("final:2", "step:0", False),  # paused earlier, not now
    ],
)
def test_a_promote_ends_a_steps_bake_or_a_paused_one_at_once(
    task_key: str, paused_key: str | None, at_once: bool
) -> None:
    w = world()
    running(w, task_token=TOKEN, task_key=task_key, paused_key=paused_key)
    state = signals.signal_running_deployment(signal("promote"), w.ctx)
    assert w.task_tokens.results == ([(TOKEN, "Promoted")] if at_once else [])
    assert w.table.lock is not None and w.table.lock.requests == ("promote",)
    assert w.table.lock.trigger is None  # a promote is not a failure's cause
    assert state.outcome is not None and state.outcome.summary["delivered"] == (
        "at once" if at_once else "at its next check"
    )


def test_a_token_already_completed_is_delivered_at_the_next_check() -> None:
    w = world()
    running(w, task_token=TOKEN, task_key="step:0")
    w.task_tokens.waiting.clear()  # the bake ended a moment ago
    state = signals.signal_running_deployment(signal("abort"), w.ctx)
    assert state.outcome is not None and state.outcome.summary["delivered"] == "at its next check"


@pytest.mark.parametrize("action", ["promote", "abort"])
def test_a_signal_with_nothing_running_is_refused(action: str) -> None:
    w = world()
    with pytest.raises(NoDeploymentRunning, match=r"^no deployment of app is running$"):
        signals.signal_running_deployment(signal(action), w.ctx)
    assert w.table.records == []


def test_a_signal_names_a_manual_action_that_holds_the_lock() -> None:
    w = world()
    running(w, details={"action": "switch"})
    with pytest.raises(NoDeploymentRunning, match=r"\(arn:.*deploy-7 holds the lock for a switch\)"):
        signals.signal_running_deployment(signal("promote"), w.ctx)


def test_a_rollback_with_nothing_running_goes_back_to_the_previous_side_instead() -> None:
    w = world()
    running(w, quarantined=True, expires_at=None)  # a quarantined lock is no running deployment
    state = signals.signal_running_deployment(signal("rollback"), w.ctx)
    assert not state.handled and state.outcome is None
    assert w.table.lock is not None and w.table.lock.requests == ()


def test_a_rollback_of_a_running_deployment_aborts_it() -> None:
    w = world()
    running(w, task_token=TOKEN, task_key="step:0")
    state = signals.signal_running_deployment(signal("rollback"), w.ctx)
    assert w.task_tokens.results == [(TOKEN, "Aborted")]
    assert state.handled and state.outcome is not None and state.outcome.summary["action"] == "rollback"


# -------------------------------------------------------------------------------- quarantine


def failed_rollback(w: World) -> WorkflowState:
    error = CaughtError.model_validate({"Error": "WeightsNotApplied", "Cause": "listener reads back 90/10"})
    return deploying(w, new_weight=10, rollback_error=error)


def test_an_incomplete_rollback_keeps_the_lock_and_says_where_traffic_is() -> None:
    w = world(blue_weight=90, green_tasks=2)
    state = rollback.quarantine(failed_rollback(w), w.ctx)
    lock = w.table.lock
    assert lock is not None and lock.quarantined and lock.expires_at is None and lock.owner == EXECUTION
    assert state.outcome is not None and (state.outcome.status, state.outcome.error) == ("FAILED", "RollbackIncomplete")
    assert state.outcome.cause.startswith(
        "the rollback did not complete (listener reads back 90/10). Production traffic now: blue 90 %, green 10 %."
    )
    assert lock.trigger == state.outcome.cause
    assert [r.outcome for r in w.table.records] == ["ROLLBACK_INCOMPLETE"]
    subject, body = w.notifier.messages[-1]
    assert subject == "Cutover app: ROLLBACK INCOMPLETE, traffic blue 90 %, green 10 %: run cutover repair"
    assert body["event"] == "rollback_incomplete"
    assert not w.table.release(EXECUTION)  # only a repair clears it


class UnreadableListener:
    def read_weights(self, listener_arn: str, target_groups: object) -> dict[str, int]:
        raise ConnectionError("listener unreachable")


def test_an_unreadable_listener_is_said_to_be_unknown() -> None:
    w = world()
    ctx = replace(w.ctx, load_balancer=UnreadableListener())  # type: ignore[arg-type]
    state = rollback.quarantine(failed_rollback(w).model_copy(update={"rollback_error": None}), ctx)
    assert state.outcome is not None
    assert (
        "(unknown error). Production traffic now: unknown (the listener could not be read: listener unreachable)"
        in (state.outcome.cause)
    )
