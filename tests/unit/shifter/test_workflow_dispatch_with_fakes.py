"""The workflow Lambda's dispatch against the fakes: each event the state machine sends runs
the step it names, on the state the previous step returned; a malformed event is refused
before any step runs, with a message that says what is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cutover.shifter.handlers.workflow import STEP_NAMES, run_step
from cutover.shifter.logic.state import WorkflowState
from tests.unit.shifter.fakes.context import World, world
from tests.unit.shifter.fakes.deployment import deploying
from tests.unit.shifter.test_preconditions_with_fakes import EXECUTION, IMAGE, blue_live


@pytest.fixture(autouse=True)
def _no_metric_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


def send(w: World, step: str, state: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    """One Lambda invocation as the state machine makes it (cutover/cdk/traffic_shifter.py)."""
    event: dict[str, Any] = {"step": step, "execution": EXECUTION, **more}
    if state is not None:
        event["state"] = state
    return run_step(event, lambda: w.ctx)


def test_the_first_steps_run_in_turn_on_the_state_each_returns() -> None:
    w = world()
    blue_live(w)
    state = send(w, "validate", input={"image": IMAGE, "reason": "release"})
    assert (state["operation"]["action"], state["plan"]["image"]) == ("deploy", IMAGE)
    assert w.table.lock is None  # validate touches nothing

    state = send(w, "acquire_lock", state)
    assert w.table.lock is not None and w.table.lock.owner == EXECUTION

    state = send(w, "read_live_state", state)
    assert (state["live_side"], state["new_side"]) == ("blue", "green")

    state = send(w, "prepare_idle_side", state)
    assert w.ecs.services["app-green"].desired == 2
    assert WorkflowState.model_validate(state).new_task_definition is not None


def test_a_failed_rollback_hook_is_recorded_under_its_name() -> None:
    w = world()
    state = deploying(w).model_copy(update={"hook_result": {"Error": "HookFailed", "Cause": "exit 1"}})
    send(w, "record_rollback_hook", state.dump(), hook="page-oncall")
    (subject, body) = w.notifier.messages[-1]
    assert subject == "Cutover app: on_rollback hook page-oncall failed" and body["hook"] == "page-oncall"
    assert [failure.hook for failure in w.table.records[-1].hook_failures] == ["page-oncall"]


def test_an_unknown_step_is_refused_naming_the_known_ones_and_nothing_runs() -> None:
    w = world()
    with pytest.raises(ValueError, match="unknown step 'shift'") as refused:
        send(w, "shift", deploying(w).dump())
    assert all(name in str(refused.value) for name in STEP_NAMES)
    assert w.ecs.calls == [] and w.load_balancer.writes == [] and w.notifier.messages == []


def test_every_step_but_validate_needs_the_state() -> None:
    w = world()
    with pytest.raises(ValueError, match="step acquire_lock needs the workflow state"):
        send(w, "acquire_lock")
    assert w.table.lock is None


@pytest.mark.parametrize(("step", "missing"), [("register_bake_token", "task token"), ("record_rollback_hook", "hook")])
def test_the_steps_that_take_an_extra_field_refuse_to_run_without_it(step: str, missing: str) -> None:
    w = world()
    with pytest.raises(ValueError, match=f"{step} needs the {missing}"):
        send(w, step, deploying(w).dump())
    assert w.notifier.messages == [] and w.table.records == []


def test_an_event_with_a_field_the_state_machine_never_sends_is_refused() -> None:
    """A typo in the state machine's Parameters would otherwise be dropped silently."""
    w = world()
    with pytest.raises(ValidationError, match="tokn"):
        send(w, "register_bake_token", deploying(w).dump(), tokn="token-1")
    with pytest.raises(ValidationError, match="execution"):
        run_step({"step": "validate", "input": {"image": IMAGE}}, lambda: w.ctx)
