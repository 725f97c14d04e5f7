"""What a deployment's SNS messages and history record say, from its state alone."""

from __future__ import annotations

from cutover.shifter.logic.records import console_link, history_record, notification
from cutover.shifter.logic.state import CaughtError, Operation, Outcome, SideSnapshot, WorkflowState
from cutover.shifter.logic.subjects import (
    caught_trigger,
    failed_subject,
    paused_subject,
    rollback_incomplete_cause,
    rollback_incomplete_subject,
    rolled_back_cause,
    rolled_back_subject,
    signal_subject,
    started_subject,
    succeeded_subject,
    traffic_text,
    what,
)
from tests.unit.shifter.fakes.deployment import EXECUTION, STARTED_AT, plan


def state(action: str = "deploy", **changes: object) -> WorkflowState:
    operation = Operation.model_validate({"action": action, **changes.pop("operation", {})})  # type: ignore[dict-item]
    base = WorkflowState(
        execution=EXECUTION,
        execution_name="run-1",
        started_at=STARTED_AT,
        operation=operation,
        plan=plan(reason="planned"),
        live_side="blue",
        new_side="green",
        previous=SideSnapshot(task_definition="app-blue-td:1", image="registry/app:old", desired_count=2),
    )
    return base.model_copy(update=changes)


def test_the_started_subject_names_what_each_action_does() -> None:
    assert started_subject(state(), "app") == "Cutover app: deploying registry/app:new to green"
    assert started_subject(state("switch"), "app") == "Cutover app: switching to green"
    assert started_subject(state("rollback"), "app") == "Cutover app: rolling back to registry/app:new on green"


def test_the_succeeded_subject_says_how_the_image_came_to_have_all_traffic() -> None:
    assert succeeded_subject(state(), "app") == "Cutover app: registry/app:new is live on green"
    assert succeeded_subject(state("rollback"), "app") == "Cutover app: registry/app:new is live again on green"
    assert succeeded_subject(state("repair"), "app").endswith("has all traffic again (repaired) on green")


def test_a_pause_and_a_signal_say_where_and_for_whom() -> None:
    assert paused_subject(state(new_weight=20), "app") == "Cutover app: paused at 20 % on green, waiting for promote"
    assert signal_subject("app", "promote", "deploy-7") == "Cutover app: promote requested for deploy-7"


def test_a_deploy_is_named_by_its_image_and_a_manual_action_by_where_it_went() -> None:
    assert what(state()) == "registry/app:new"
    assert what(state(plan=None)) == "the deployment"
    assert what(state("switch")) == "the switch to green"
    assert what(state("switch", new_side=None, operation={"to": "blue"})) == "the switch to blue"
    assert what(state("rollback", new_side=None)) == "the rollback to the previous side"
    assert rolled_back_subject(state(), "app", "AlarmFired") == "Cutover app: rolled back registry/app:new (AlarmFired)"
    assert failed_subject(state("switch"), "app", "TargetUnhealthy") == (
        "Cutover app: the switch to green failed (TargetUnhealthy)"
    )


def test_a_caught_error_gives_its_name_and_message_and_none_gives_unknown() -> None:
    caught = CaughtError.model_validate({"Error": "AlarmFired", "Cause": "green-5xx in ALARM"})
    assert caught_trigger(caught) == ("AlarmFired", "green-5xx in ALARM")
    assert caught_trigger(CaughtError.model_validate({"Error": "Aborted"})) == ("Aborted", "")
    assert caught_trigger(None) == ("Unknown", "")


def test_the_rolled_back_cause_says_where_traffic_is_and_whether_the_new_side_was_scaled_down() -> None:
    assert rolled_back_cause(state(), "AlarmFired", "green-5xx") == (
        "AlarmFired: green-5xx. Traffic is 100 % on blue (registry/app:old); green scaled to 0."
    )
    switch = state("switch", previous=None, operation={"prepare": "none"})
    assert rolled_back_cause(switch, "TargetUnhealthy", "no").endswith("on blue (its previous image).")


def test_an_incomplete_rollback_says_where_traffic_is_and_how_to_repair() -> None:
    where = traffic_text({"green": 10, "blue": 90})
    assert where == "blue 90 %, green 10 %"
    assert rollback_incomplete_cause("Throttling", where).startswith(
        "the rollback did not complete (Throttling). Production traffic now: blue 90 %, green 10 %. Fix it with"
    )
    assert rollback_incomplete_subject("app", where) == (
        "Cutover app: ROLLBACK INCOMPLETE, traffic blue 90 %, green 10 %: run cutover repair"
    )


def test_the_history_record_keeps_the_trigger_only_of_an_outcome_that_is_not_a_success() -> None:
    failed = state(outcome=Outcome(status="ROLLED_BACK", cause="green-5xx"))
    record = history_record(failed, "app", "ROLLED_BACK")
    assert (record.service, record.image, record.strategy, record.reason) == (
        "app",
        "registry/app:new",
        "canary",
        "planned",
    )
    assert [s.weight for s in record.steps] == [10, 100]
    assert (record.from_side, record.to_side, record.previous_task_definition) == ("blue", "green", "app-blue-td:1")
    assert record.trigger == "green-5xx"
    assert history_record(failed, "app", "SUCCEEDED").trigger is None


def test_a_record_without_a_plan_is_named_by_its_action() -> None:
    record = history_record(state("rollback", plan=None, previous=None), "app", "RUNNING")
    assert (record.reason, record.image, record.steps, record.previous_image) == ("rollback", None, (), None)


def test_the_notification_gives_both_sides_weights_and_a_console_link() -> None:
    body = notification(state(new_weight=10, operation={"reason": "asked"}), "app", "paused")
    assert body["weights"] == {"green": 10, "blue": 90}
    assert (body["event"], body["reason"], body["cause"]) == ("paused", "asked", None)
    assert body["execution_link"] == console_link(EXECUTION)
    assert console_link(EXECUTION).startswith("https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1")
    assert notification(state(new_side=None, plan=None), "app", "failed")["weights"] is None
