"""The alarm and execution-status event handlers against the fake table and task tokens."""

from __future__ import annotations

from dataclasses import replace

from cutover.shifter.handlers.alarm_event import AlarmStateChange, react_to_alarm
from cutover.shifter.handlers.execution_event import ExecutionStatusChange, release_lock_of_ended
from cutover.shifter.readers.lock import Lock
from tests.unit.shifter.fakes.aws import FakeTaskTokens
from tests.unit.shifter.fakes.context import world

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:shifter:run-1"
LOCK = Lock(owner=EXECUTION, acquired_at="2026-12-02T20:00:00+00:00", expires_at=2_000_000_000, new_side="green")


def alarm(name: str, value: str = "ALARM") -> AlarmStateChange:
    return AlarmStateChange.model_validate(
        {
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "time": "2026-12-02T20:05:00Z",
            "detail": {"alarmName": name, "state": {"value": value, "reason": "5xx above 1 %"}},
        }
    )


def ended(status: str) -> ExecutionStatusChange:
    return ExecutionStatusChange.model_validate(
        {
            "detail-type": "Step Functions Execution Status Change",
            "source": "aws.states",
            "detail": {"executionArn": EXECUTION, "status": status},
        }
    )


def test_an_alarm_of_the_new_side_fails_the_waiting_bake_and_records_the_trigger() -> None:
    w = world()
    w.table.lock = replace(LOCK, task_token="token-1")
    tokens = w.ctx.task_tokens
    assert isinstance(tokens, FakeTaskTokens)
    tokens.waiting.add("token-1")
    assert react_to_alarm(alarm("green-5xx"), w.ctx) == {"action": "rollback", "alarm": "green-5xx"}
    assert tokens.results == [("token-1", "AlarmFired")]
    assert w.table.lock is not None and w.table.lock.trigger == "green-5xx in ALARM on green: 5xx above 1 %"


def test_a_token_already_completed_is_too_late() -> None:
    w = world()
    w.table.lock = replace(LOCK, task_token="token-gone")
    assert react_to_alarm(alarm("green-5xx"), w.ctx)["action"] == "too-late"


def test_an_alarm_of_the_old_side_or_an_ok_state_is_ignored() -> None:
    w = world()
    w.table.lock = replace(LOCK, task_token="token-1")
    assert react_to_alarm(alarm("blue-5xx"), w.ctx)["action"] == "ignored"
    assert react_to_alarm(alarm("green-5xx", "OK"), w.ctx)["action"] == "ignored"
    assert w.table.lock is not None and w.table.lock.trigger is None


def test_without_a_waiting_bake_the_trigger_is_recorded_for_the_next_poll() -> None:
    w = world()
    w.table.lock = LOCK
    assert react_to_alarm(alarm("green-5xx"), w.ctx)["action"] == "recorded"


def test_a_crashed_execution_releases_its_lock() -> None:
    w = world()
    w.table.lock = LOCK
    assert release_lock_of_ended(ended("FAILED"), w.ctx) == {"action": "released", "status": "FAILED"}
    assert w.table.lock is None


def test_a_quarantined_lock_waits_for_a_repair_and_a_success_is_not_a_crash() -> None:
    w = world()
    w.table.lock = replace(LOCK, quarantined=True, expires_at=None)
    assert release_lock_of_ended(ended("ABORTED"), w.ctx)["action"] == "kept"
    assert release_lock_of_ended(ended("SUCCEEDED"), w.ctx)["action"] == "ignored"
    assert w.table.lock is not None


def test_another_executions_lock_is_left_alone() -> None:
    w = world()
    w.table.lock = replace(LOCK, owner=EXECUTION + "-other")
    assert release_lock_of_ended(ended("TIMED_OUT"), w.ctx)["action"] == "ignored"
    assert w.table.lock is not None
