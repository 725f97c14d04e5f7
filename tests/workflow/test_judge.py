"""The judge in the bake (docs/analysis.md): a canary judged against the old side on CloudWatch.

Faked, because AWS would do it and moto does not: the ALB publishing its target-group metrics.
The test puts, with PutMetricData into moto's CloudWatch, what an ALB publishes per target group
and 60 s period (`RequestCount` and `HTTPCode_Target_5XX_Count` Sums, `TargetResponseTime` as raw
values), with the `LoadBalancer` and `TargetGroup` dimensions the ALB uses (the final portions of
the ARNs, ALB guide "CloudWatch metrics"), on the run's virtual clock (aws_timing.utc_now, the
clock the judge's windows are computed from), for the hours around the run. Everything else is
the real stack: the judge reads them with GetMetricData through the workflow role.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from cutover.local import aws_timing
from cutover.local.runtime import LocalCutover
from cutover.shifter.adapters import aws_clients
from cutover.shifter.logic.plan import StrategyDefaults
from cutover.shifter.logic.quotas import polls
from tests.workflow.conftest import Notifications, wait_for_lock

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
# Small enough for two periods of the published traffic; latency needs 5 periods (its default minimum).
JUDGE: dict[str, Any] = {"mode": "on", "error_rate": {"min_requests": 1000}, "latency_p50": {"min_requests": 1000}}
JUDGE["latency_p99"] = JUDGE["latency_p50"]
# Short waits: at the workflow tests' compression a real millisecond is an AWS second, so the
# metrics must cover every AWS second the run's Python takes too.
CANARY = {"image": IMAGE_V2, "strategy": "canary", "bake_seconds": 120, "termination_wait_seconds": 0}


def publish_alb_metrics(cutover: LocalCutover, side: str, *, requests: int, errors: int, hours: float = 8) -> None:
    """What the ALB would have published for `side`'s target group: one datapoint per period
    (5xx only when non-zero, as the ALB does) from half an hour before now to `hours` after: at
    the workflow tests' compression 8 AWS hours are about 29 real seconds, far longer than a run
    takes even on a loaded machine (a check past the data would see no traffic)."""
    listener = cutover.outputs["ListenerArn"]
    group = cutover.outputs[f"{side.capitalize()}TargetGroupArn"]
    dimensions = [
        {"Name": "LoadBalancer", "Value": listener.split(":listener/", 1)[1].rsplit("/", 1)[0]},
        {"Name": "TargetGroup", "Value": group.rsplit(":", 1)[1]},
    ]
    start = aws_timing.utc_now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    data: list[dict[str, Any]] = []
    for period in range(int((0.5 + hours) * 60)):
        at = start + timedelta(minutes=period)
        data.append({"MetricName": "RequestCount", "Dimensions": dimensions, "Timestamp": at, "Value": requests})
        if errors:
            data.append(
                {"MetricName": "HTTPCode_Target_5XX_Count", "Dimensions": dimensions, "Timestamp": at, "Value": errors}
            )
        data.append(
            {
                "MetricName": "TargetResponseTime",
                "Dimensions": dimensions,
                "Timestamp": at,
                # Three response times stand for the period's requests: moto stores a datapoint per
                # count, and the percentiles of these three are those of any multiple of them.
                "Values": [0.04, 0.05, 0.06],
            }
        )
    cloudwatch = cutover.client("cloudwatch")
    for first in range(0, len(data), 1000):  # PutMetricData: at most 1,000 metrics per call
        cloudwatch.put_metric_data(Namespace="AWS/ApplicationELB", MetricData=data[first : first + 1000])


def judged(cutover: LocalCutover) -> list[dict[str, Any]]:
    (record,) = [r for r in cutover.deployments() if r.action == "deploy"]
    return [event.detail for event in record.timeline if event.event == "judged"]


def test_a_worse_new_side_is_rolled_back_by_the_judge_with_the_metric_named(
    cutover: LocalCutover, notifications: Notifications
) -> None:
    publish_alb_metrics(cutover, "blue", requests=1000, errors=5)
    publish_alb_metrics(cutover, "green", requests=1000, errors=100)  # 10 % against 0.5 %
    execution = cutover.run({**CANARY, "analysis": JUDGE}, "judge-fails")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert execution.cause is not None and execution.cause.startswith("JudgeFailed: judge: error_rate worse on green")
    assert "10.00 %" in execution.cause and "0.50 %" in execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0
    (verdict,) = [v for v in judged(cutover) if v["outcome"] == "fail"]
    assert (verdict["mode"], verdict["weight"], verdict["decision"], verdict["baseline"]) == (
        "on",
        10,
        "rolled back",
        "same-window",
    )
    error_rate = next(m for m in verdict["metrics"] if m["metric"] == "error_rate")
    assert (error_rate["new"]["side"], error_rate["baseline"]["side"]) == ("green", "blue")
    assert error_rate["new"]["value"] == 0.1 and error_rate["baseline"]["value"] == 0.005
    assert error_rate["p_value"] < 0.01
    subjects = [m["subject"] for m in notifications.messages()]
    assert "Cutover demo: judge fail on green at 10 % (rolled back)" in subjects


def test_dry_run_records_the_fail_and_ships(cutover: LocalCutover, notifications: Notifications) -> None:
    publish_alb_metrics(cutover, "blue", requests=1000, errors=5)
    publish_alb_metrics(cutover, "green", requests=1000, errors=100)
    execution = cutover.run({**CANARY, "analysis": {**JUDGE, "mode": "dry-run"}}, "judge-dry-run")
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 0, "green": 100}
    fails = [v for v in judged(cutover) if v["outcome"] == "fail"]
    assert fails and {v["decision"] for v in fails} == {"dry-run: would have rolled back"}
    assert {v["weight"] for v in fails} == {10, 100}  # the canary's bake and the final wait
    assert {v["baseline"] for v in fails} == {"same-window", "before-shift"}
    subjects = [m["subject"] for m in notifications.messages()]
    assert "Cutover demo: judge fail on green at 10 % (dry-run: would have rolled back)" in subjects


@contextmanager
def get_metric_data_calls() -> Iterator[list[dict[str, Any]]]:
    """Every GetMetricData request the Lambdas' own clients send (a botocore `before-call` hook,
    as bench/harness.py counts API calls: one per call, not per retry attempt)."""
    calls: list[dict[str, Any]] = []

    def count(client: Any) -> None:
        def seen(model: Any, params: dict[str, Any], **_: Any) -> None:
            if model.name == "GetMetricData":  # CloudWatch's JSON protocol: the request as sent
                calls.append(json.loads(params["body"]))

        client.meta.events.register("before-call", seen)

    with aws_clients.client_hook(count):
        yield calls


def test_each_check_with_a_whole_period_makes_one_get_metric_data_call(cutover: LocalCutover) -> None:
    # Bench figure 7 counts one call per check that has a whole period since the shift. A
    # failing new side in dry-run fails at every such check, so the first recorded fail of each
    # bake says which check that was: the first poll has one only when it came a whole period
    # after the shift's own (on AWS it does not: a shift lands within a minute; here a check's
    # Lambda time also counts, 1 real ms per AWS second), every later poll does.
    publish_alb_metrics(cutover, "blue", requests=1000, errors=5)
    publish_alb_metrics(cutover, "green", requests=1000, errors=100)
    with get_metric_data_calls() as calls:
        execution = cutover.run({**CANARY, "analysis": {**JUDGE, "mode": "dry-run"}}, "judge-calls")
    assert execution.status == "SUCCEEDED", execution.cause
    (record,) = [r for r in cutover.deployments() if r.action == "deploy"]
    # Per bake, in order (the canary's at 10 %, its bake at 100 %, the final wait): its polls,
    # from the time it baked, and the check of its first recorded verdict.
    bakes: list[tuple[int, int | None]] = []
    first: int | None = None
    for event in record.timeline:
        if event.event == "judged" and first is None:
            first = event.detail["check"]
        elif event.event == "baked":
            bakes.append((polls(event.detail["seconds"], StrategyDefaults().poll_interval_seconds), first))
            first = None
    assert [checks for checks, _ in bakes] == [2, 2, 1]  # 120 s at 10 % and at 100 %, the 60 s final wait
    assert all(first in {1, 2} for _, first in bakes), bakes
    expected = sum(checks - (first or 1) + 1 for checks, first in bakes)
    assert len(calls) == expected, bakes
    # One call for both sides and every metric: 4 queries per side at the default judge.
    assert {len(call["MetricDataQueries"]) for call in calls} == {8}


def test_no_traffic_is_inconclusive_extends_once_then_rolls_back(cutover: LocalCutover) -> None:
    analysis = {**JUDGE, "on_inconclusive": {"action": "extend", "max_extensions": 1, "then": "rollback"}}
    execution = cutover.run({**CANARY, "analysis": analysis}, "judge-no-traffic")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert execution.cause is not None and execution.cause.startswith("JudgeInconclusive: judge: no conclusive")
    assert "no traffic on green" in execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    decisions = [v.get("decision") for v in judged(cutover) if v.get("decision")]
    assert decisions == ["extended the bake by 300 s", "rolled back"]
    assert all(v["outcome"] == "inconclusive" for v in judged(cutover))


# No metrics published: every check sees no traffic, so each bake ends inconclusive and pauses.
PAUSE = {**JUDGE, "on_inconclusive": {"action": "pause"}}


def test_low_traffic_pauses_a_step_for_a_promote_which_skips_the_later_pauses(cutover: LocalCutover) -> None:
    arn = cutover.start({**CANARY, "termination_wait_seconds": 120, "analysis": PAUSE}, "judge-low-traffic")
    wait_for_lock(cutover, lambda lock: lock.get("paused_key") == "step:0" == lock.get("task_key"))
    assert cutover.weights() == {"blue": 90, "green": 10}  # paused at the canary's step
    promote = cutover.run({"action": "promote"}, "promote")
    assert (promote.status, promote.output["summary"]["delivered"]) == ("SUCCEEDED", "at once"), promote.cause
    execution = cutover.wait(arn)
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.weights() == {"blue": 0, "green": 100}
    # The final wait baked its 120 s and would have paused too; the promote, which skips every
    # remaining pause (docs/workflow.md), skipped it, and the verdict says so.
    decisions = [(v["weight"], v["outcome"], v.get("decision")) for v in judged(cutover) if v.get("decision")]
    assert decisions == [
        (10, "inconclusive", "paused for a promote"),
        (100, "inconclusive", "not paused: a promote was already requested"),
    ]


def test_a_final_wait_the_judge_paused_ends_at_once_on_a_promote(cutover: LocalCutover) -> None:
    # No bake at 100 %: only the final wait is judged (before-shift baseline), and it pauses.
    deployment = {"image": IMAGE_V2, "strategy": "all-at-once", "bake_seconds": 0, "termination_wait_seconds": 120}
    deployment["analysis"] = PAUSE
    arn = cutover.start(deployment, "judge-final-wait")
    wait_for_lock(
        cutover,
        lambda lock: str(lock.get("paused_key", "")).startswith("final") and lock["paused_key"] == lock.get("task_key"),
    )
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.service("blue")["desired"] == 2  # the old side still warm while paused
    promote = cutover.run({"action": "promote"}, "promote-final")
    # Its token is failed as Promoted: the pause ends now, not at a poll up to 600 s away.
    assert (promote.status, promote.output["summary"]["delivered"]) == ("SUCCEEDED", "at once"), promote.cause
    execution = cutover.wait(arn)
    assert execution.status == "SUCCEEDED", execution.cause
    assert cutover.service("blue")["desired"] == 0
    assert cutover.lock() is None
    (record,) = [r for r in cutover.deployments() if r.action == "deploy"]
    assert [e.event for e in record.timeline].count("promoted") == 1
