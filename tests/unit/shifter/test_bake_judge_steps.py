"""The judge in check_bake against the fakes (CloudWatch answering from datapoints, the lock, SNS):
what a deployment's state, lock and notifications look like after an inconclusive bake that
pauses, a promote of that pause, and a rollback that recovers the failed bake's verdicts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cutover.shifter.clock import metrics_now
from cutover.shifter.logic.analysis.actions import PAUSE_SKIPPED
from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.errors import JudgeFailed, JudgeInconclusive
from cutover.shifter.logic.plan import PlanStep
from cutover.shifter.logic.state import Bake, CaughtError, WorkflowState
from cutover.shifter.steps import bake, rollback
from tests.unit.shifter.fakes.context import TARGET_GROUPS, World, world
from tests.unit.shifter.fakes.deployment import deploying, plan


@pytest.fixture(autouse=True)
def _no_metric_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


def final_wait(w: World, analysis: JudgeConfig) -> WorkflowState:
    """green at 100 % for ten minutes, in its final wait of 60 s, judged by `analysis`."""
    return deploying(
        w,
        plan=plan(
            PlanStep(weight=100, bake_seconds=0, pause=False),
            poll_interval_seconds=60,
            strategy_name="all-at-once",
            analysis=analysis,
        ),
        bounds=None,
        new_weight=100,
        shifted_at=(metrics_now() - timedelta(minutes=10)).isoformat(),
        bake=Bake(phase="final", step_index=1, seconds=60, wait_seconds=60, token_timeout_seconds=5000),
    )


def test_no_traffic_at_the_end_of_the_final_wait_pauses_it_until_a_promote() -> None:
    w = world(blue_weight=0, green_tasks=2)
    state = final_wait(w, JudgeConfig.model_validate({"mode": "on", "on_inconclusive": {"action": "pause"}}))
    state = bake.check_bake(state, w.ctx)
    assert state.bake is not None and state.bake.status == "baking"
    assert (state.bake.pause, state.bake.judge_paused, state.bake.seconds) == (True, True, 60 + 3600)
    assert w.cloudwatch.calls == 1  # one GetMetricData call for the check
    subject, body = w.notifier.messages[-1]
    assert subject == "Cutover app: judge inconclusive on green at 100 % (paused for a promote)"
    assert "no traffic on green" in body["cause"]
    (verdict,) = [e.detail for e in state.timeline if e.event == "judged"]
    assert (verdict["outcome"], verdict["baseline"], verdict["decision"]) == (
        "inconclusive",
        "before-shift",
        "paused for a promote",
    )
    assert w.table.lock is not None
    w.table.lock = replace(w.table.lock, requests=("promote",))
    state = bake.check_bake(state, w.ctx)
    assert state.bake is not None and state.bake.status == "done" and state.promoted


def test_dry_run_at_the_end_of_a_bake_only_says_what_it_would_have_done() -> None:
    w = world(blue_weight=0, green_tasks=2)
    state = bake.check_bake(final_wait(w, JudgeConfig(mode="dry-run")), w.ctx)
    assert state.bake is not None and (state.bake.status, state.bake.pause) == ("done", False)
    assert [e.detail["decision"] for e in state.timeline if e.event == "judged"] == [
        "dry-run: would have extended the bake by 300 s"
    ]


def test_a_rollback_records_the_verdicts_of_the_bake_that_failed() -> None:
    """A failed bake hands the rollback the state it began with: the verdicts come from the lock."""
    w = world(blue_weight=0, green_tasks=2)
    state = final_wait(w, JudgeConfig.model_validate({"mode": "on", "error_rate": {"min_requests": 100}}))
    assert state.shifted_at is not None
    start = metrics_now().replace(second=0, microsecond=0) - timedelta(minutes=20)
    dimensions = {"LoadBalancer": "app/app/50dc6c495c0c9188"}
    for minute in range(20):  # what the ALB publishes per target group: 5 % errors on green, 0 on blue
        for side, errors in (("green", 50), ("blue", 0)):
            group = {**dimensions, "TargetGroup": TARGET_GROUPS[side].rsplit(":", 1)[1]}
            at = start + timedelta(minutes=minute)
            w.cloudwatch.put("RequestCount", "Sum", group, at, 1000)
            if errors:
                w.cloudwatch.put("HTTPCode_Target_5XX_Count", "Sum", group, at, errors)
    before = state.model_copy(deep=True)
    with pytest.raises(JudgeFailed, match="error_rate worse on green at 100 %"):
        bake.check_bake(state, w.ctx)
    before.error = CaughtError.model_validate({"Error": "JudgeFailed"})  # what the Catch puts
    after = rollback.rollback(before, w.ctx)
    (verdict,) = [e.detail for e in after.timeline if e.event == "judged"]
    assert (verdict["outcome"], verdict["decision"]) == ("fail", "rolled back")
    assert after.rolling_back is not None and "error_rate" in after.rolling_back.message
    assert w.load_balancer.weights == {"blue": 100, "green": 0}


def test_a_dry_run_fail_at_every_check_is_stored_once_per_bake() -> None:
    """A day's bake polls 144 times: storing the same fail each time would outgrow the state."""
    w = world(blue_weight=0, green_tasks=2)
    state = final_wait(w, JudgeConfig.model_validate({"mode": "dry-run", "error_rate": {"min_requests": 100}}))
    assert state.bake is not None
    state.bake.seconds = 600
    start = metrics_now().replace(second=0, microsecond=0) - timedelta(minutes=20)
    for minute in range(20):
        for side, errors in (("green", 50), ("blue", 0)):
            group = {"LoadBalancer": "app/app/50dc6c495c0c9188", "TargetGroup": TARGET_GROUPS[side].rsplit(":", 1)[1]}
            at = start + timedelta(minutes=minute)
            w.cloudwatch.put("RequestCount", "Sum", group, at, 1000)
            if errors:
                w.cloudwatch.put("HTTPCode_Target_5XX_Count", "Sum", group, at, errors)
    for _ in range(3):
        state = bake.check_bake(state, w.ctx)
    assert state.bake is not None and state.bake.checks == 3 and state.bake.status == "baking"
    fails = [e.detail for e in state.timeline if e.event == "judged"]
    assert [(v["outcome"], v["decision"], v["check"]) for v in fails] == [
        ("fail", "dry-run: would have rolled back", 1)
    ]
    assert [subject for subject, _ in w.notifier.messages] == [
        "Cutover app: judge fail on green at 100 % (dry-run: would have rolled back)"
    ]


def test_an_inconclusive_end_extends_the_bake_when_the_judge_is_on() -> None:
    w = world(blue_weight=0, green_tasks=2)
    state = bake.check_bake(final_wait(w, JudgeConfig(mode="on")), w.ctx)  # no traffic: inconclusive
    assert state.bake is not None
    assert (state.bake.status, state.bake.extensions, state.bake.seconds) == ("baking", 1, 60 + 300)
    assert state.bake.wait_seconds == 60  # polls on through the extension


def test_an_inconclusive_end_rolls_back_when_the_rule_says_so() -> None:
    w = world(blue_weight=0, green_tasks=2)
    config = JudgeConfig.model_validate({"mode": "on", "on_inconclusive": {"action": "rollback"}})
    with pytest.raises(JudgeInconclusive, match="no traffic on green"):
        bake.check_bake(final_wait(w, config), w.ctx)
    assert w.table.lock is not None and w.table.lock.phase == "bake-failed:final:1:JudgeInconclusive"


def test_a_promote_that_came_before_the_judges_pause_skips_it_and_the_timeline_says_so() -> None:
    w = world(blue_weight=0, green_tasks=2)
    state = final_wait(w, JudgeConfig.model_validate({"mode": "on", "on_inconclusive": {"action": "pause"}}))
    assert w.table.lock is not None
    w.table.lock = replace(w.table.lock, requests=("promote",))
    state = bake.check_bake(state, w.ctx)
    assert state.promoted and state.bake is not None and (state.bake.status, state.bake.pause) == ("done", False)
    assert [e.detail["decision"] for e in state.timeline if e.event == "judged"] == [PAUSE_SKIPPED]
    assert w.table.lock.paused_key is None  # never paused
