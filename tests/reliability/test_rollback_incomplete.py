"""A rollback that cannot complete ends RollbackIncomplete, quarantines the lock so nobody
deploys over the broken state, says where traffic is and what fixes it; repair fixes it.

Faked, as AWS could do it: ModifyListener denied once the rollback starts (tests/listener_faults.py)."""

from __future__ import annotations

import pytest

from cutover.local.runtime import LocalCutover
from tests.listener_faults import break_modify_listener
from tests.workflow.conftest import Notifications, wait_for_lock

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"


@pytest.fixture
def listener_breaks(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    return break_modify_listener(monkeypatch)


def test_incomplete_rollback_quarantines_and_repair_restores(
    cutover: LocalCutover, notifications: Notifications, listener_breaks: dict[str, bool]
) -> None:
    arn = cutover.start({"image": IMAGE_V2, "strategy": "canary", "bake_seconds": 3600}, "doomed")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")
    listener_breaks["broken"] = True
    cutover.set_alarm("cutover-demo-green-5xx", "ALARM")
    cutover.deliver_alarm_event("cutover-demo-green-5xx")
    execution = cutover.wait(arn)

    assert (execution.status, execution.error) == ("FAILED", "RollbackIncomplete")
    assert "Production traffic now: blue 90 %, green 10 %" in (execution.cause or "")
    assert "cutover repair" in (execution.cause or "")
    lock = cutover.lock()
    assert lock is not None and lock["quarantined"] is True and "expires_at" not in lock
    subject = notifications.messages()[-1]["subject"]
    assert subject == "Cutover demo: ROLLBACK INCOMPLETE, traffic blue 90 %, green 10 %: run cutover repair"

    listener_breaks["broken"] = False
    blocked = cutover.run({"image": IMAGE_V2.replace(":v2", ":v3")}, "blocked")
    assert (blocked.status, blocked.error) == ("FAILED", "DeploymentInProgress")
    assert "quarantined" in (blocked.cause or "") and "repair" in (blocked.cause or "")
    assert cutover.weights() == {"blue": 90, "green": 10}  # nobody touched the broken state

    cutover.set_alarm("cutover-demo-green-5xx", "OK")
    repaired = cutover.run({"action": "repair"}, "repair")
    assert repaired.status == "SUCCEEDED", repaired.cause
    assert cutover.weights() == {"blue": 100, "green": 0}  # the side the rollback was going back to
    assert cutover.lock() is None
    assert cutover.live_state()["blue/weight"] == "100"
    assert any(r.action == "repair" and r.outcome == "SUCCEEDED" for r in cutover.deployments())

    after = cutover.run({"image": IMAGE_V2.replace(":v2", ":v3"), "strategy": "all-at-once"}, "after-repair")
    assert after.status == "SUCCEEDED", after.cause


def test_repair_with_nothing_quarantined_refuses_a_running_deployment(cutover: LocalCutover) -> None:
    arn = cutover.start({"image": IMAGE_V2, "strategy": "canary", "bake_seconds": 3600}, "running")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")
    repair = cutover.run({"action": "repair"}, "repair")
    assert (repair.status, repair.error) == ("FAILED", "DeploymentInProgress")
    assert "not quarantined" in (repair.cause or "")
    assert cutover.run({"action": "abort"}, "abort").status == "SUCCEEDED"
    assert cutover.wait(arn).error == "DeploymentRolledBack"
