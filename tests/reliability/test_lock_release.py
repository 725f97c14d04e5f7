"""A crashed execution's lock is released by the execution-status rule, only when that
execution owns it and it is not quarantined.

Faked, because moto emits no Step Functions events: the test delivers the "Step
Functions Execution Status Change" event EventBridge would deliver."""

from __future__ import annotations

from cutover.local.runtime import LocalCutover

CRASHED = "arn:aws:states:eu-west-1:123456789012:execution:cutover-demo:crashed"


def put_lock(cutover: LocalCutover, owner: str, *, quarantined: bool = False) -> None:
    item: dict[str, dict[str, object]] = {
        "pk": {"S": "SERVICE#demo"},
        "sk": {"S": "LOCK"},
        "owner": {"S": owner},
        "acquired_at": {"S": "2026-11-21T10:00:00+00:00"},
        "expires_at": {"N": "9999999999"},
    }
    if quarantined:
        item["quarantined"] = {"BOOL": True}
    cutover.client("dynamodb").put_item(TableName=cutover.outputs["TableName"], Item=item)


def test_the_lock_of_a_crashed_execution_is_released(cutover: LocalCutover) -> None:
    put_lock(cutover, CRASHED)
    assert cutover.deliver_execution_event(CRASHED, "FAILED") == {"action": "released", "status": "FAILED"}
    assert cutover.lock() is None
    after = cutover.run({"image": "app:v2", "strategy": "all-at-once"}, "after-crash")
    assert after.status == "SUCCEEDED", after.cause


def test_another_executions_lock_and_a_quarantine_are_kept(cutover: LocalCutover) -> None:
    put_lock(cutover, CRASHED)
    other = CRASHED.replace(":crashed", ":other")
    assert cutover.deliver_execution_event(other, "TIMED_OUT")["action"] == "ignored"
    assert cutover.deliver_execution_event(CRASHED, "SUCCEEDED")["action"] == "ignored"
    assert cutover.lock() is not None
    put_lock(cutover, CRASHED, quarantined=True)
    assert cutover.deliver_execution_event(CRASHED, "ABORTED")["action"] == "kept"
    assert cutover.lock() is not None
