"""`make demo` runs real deployments on local AWS and says what each scenario showed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cutover.local.demo import Outcome
from cutover.local.demo_hooks import RollbackHookCheck
from cutover.shifter.logic.analysis.models import PeriodJudge, significance
from tests.local.synth_local import synth_local_assembly
from tests.synth import ROOT

LATENCY = PeriodJudge()  # the demo judges latency at the defaults (demo_judge.py sets only minimums)

DEMO_CPU_SECONDS = 55  # the bound on the demo's CPU, with its evidence where it is asserted


def test_demo_runs_its_scenarios_to_the_expected_outcomes_without_failed_requests(tmp_path: Path) -> None:
    # What `make demo` synthesizes: the local variant with the example service as the image.
    summary_file = tmp_path / "summary.json"
    assembly = synth_local_assembly()
    environment = {**os.environ, "CUTOVER_DEMO_ASSEMBLY": str(assembly), "CUTOVER_DEMO_SUMMARY": str(summary_file)}
    result = subprocess.run(
        [sys.executable, "-m", "cutover.local.demo"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert summary_file.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(summary_file.read_text())
    scenarios = summary["scenarios"]
    lost = {row["scenario"]: row["failure_examples"] for row in scenarios if row["failed_requests"]}
    assert not lost, lost  # no production request failed, whatever happened
    assert [(row["outcome"], row["trigger"]) for row in scenarios] == [
        ("SUCCEEDED", None),
        ("ROLLED_BACK", "AlarmFired"),
        ("ROLLED_BACK", "SmokeTestFailed"),
        ("ROLLED_BACK", "JudgeFailed"),
        ("SUCCEEDED", None),
        ("SUCCEEDED", None),
        ("SUCCEEDED", None),
        ("SUCCEEDED", None),
    ]
    assert all(row["requests"] > 0 for row in scenarios)  # production load ran through every scenario
    # The alarm rollback's on_rollback hook ran and the flag v3 switched on is off again, as the
    # service itself says through the router.
    hook = scenarios[1]["rollback_hook"]
    assert (hook["hook"], hook["ran"], hook["failures"]) == ("cutover-demo-flags-off", True, []), hook
    assert (hook["flags_before"], hook["flags_after"]) == (
        {"appointment_reminders": True},
        {"appointment_reminders": False},
    )
    assert [row["rollback_hook"] for row in scenarios if row is not scenarios[1]] == [None] * 7
    # v5 answers 25 ms later than v2 (~40 %): the judge fails its latency against the old side in
    # the same window, and production traffic is back on the old side.
    judged = scenarios[3]
    assert judged["weights"] == {"blue": 0, "green": 100}
    assert judged["judge_decisions"] == ["rolled back"]
    verdict = judged["verdict"]
    assert (verdict["outcome"], verdict["mode"], verdict["baseline"]) == ("fail", "on", "same-window"), verdict
    latency = [metric for metric in verdict["metrics"] if metric["outcome"] == "fail"]
    assert latency and {metric["metric"] for metric in latency} <= {"latency_p50", "latency_p99"}, verdict
    for metric in latency:
        new, old = metric["new"], metric["baseline"]
        assert (new["side"], old["side"]) == ("blue", "green")
        assert new["value"] > old["value"] * (1 + LATENCY.tolerance), metric
        assert metric["p_value"] < significance(LATENCY.confidence), metric
        assert min(new["periods"], old["periods"]) >= 5 and min(new["requests"], old["requests"]) >= 20, metric
    # v6 under AWS-sized minimums: local traffic is too little to judge, so the judge paused the
    # canary's bake instead of passing it; the operator's promote ended the pause and skipped the
    # final wait's, and v6 went live.
    quiet = scenarios[7]
    assert quiet["weights"] == {"blue": 0, "green": 100}
    assert quiet["judge_decisions"] == ["paused for a promote", "not paused: a promote was already requested"]
    assert quiet["verdict"]["outcome"] == "inconclusive", quiet["verdict"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert summary["ok"] is True
    assert "Every scenario ended as expected, with no failed production request." in result.stdout
    assert "[stand-in]" in result.stdout  # every stand-in is announced
    assert "AlarmFired: cutover-demo-blue-5xx in ALARM" in result.stdout
    assert "SmokeTestFailed: POST /mcp" in result.stdout
    printed = " ".join(result.stdout.split())  # as the terminal shows it, whatever its width
    assert "JudgeFailed: judge: latency_p" in printed and "worse on blue at 50 %" in printed
    assert "Judge fail (on, at 50 %, baseline same-window; rolled back)" in printed  # the verdict's table
    assert "on_rollback cutover-demo-flags-off ran (trigger AlarmFired): appointment_reminders off" in printed
    assert "an operator reads the inconclusive verdict and runs `cutover promote`" in printed
    assert '"_aws"' not in result.stdout  # no raw metric lines in the terminal
    # The demo's own cost, from its summary: CPU of its whole process tree (moto, the Lambdas, the
    # service's processes, the router, the load), which a shared machine inflates far less than
    # wall time. Measured 2026-12-06 on the 2-core machine under a load average of 15-21: 37-49 s
    # (59 s before the spawned router and load generator stopped importing moto and the demo's
    # waits shrank, when the demo took ~80 s of wall on an idle machine). Over the bound, the
    # demo has grown back towards that.
    print(f"demo: {summary['seconds']} s wall, {summary['cpu_seconds']} s CPU")
    assert summary["cpu_seconds"] < DEMO_CPU_SECONDS, (summary["cpu_seconds"], summary["seconds"])
    assert 0 < summary["stand_up_seconds"] < summary["seconds"]


def test_a_rollback_by_another_trigger_than_expected_fails_the_demo_and_says_why() -> None:
    by_alarm = Outcome("4 deploy v5", "ROLLED_BACK", "ROLLED_BACK", 3.0, 40, 120, 0, 0, trigger="AlarmFired")
    assert by_alarm.ok  # any trigger, when the scenario expects none in particular
    by_alarm.expected_trigger = "JudgeFailed"
    assert not by_alarm.ok
    assert by_alarm.verdict() == "4 deploy v5: ended ROLLED_BACK (AlarmFired), expected ROLLED_BACK (JudgeFailed)"


def test_a_scenario_that_lost_production_requests_fails_the_demo_and_says_why() -> None:
    lost = Outcome("2 deploy v3", "ROLLED_BACK", "ROLLED_BACK", 3.0, 40, 120, 2, 0, ("+1.2s HTTP 503 from (none)",))
    assert lost.ended_as_expected and not lost.ok
    assert lost.verdict() == "2 deploy v3: lost 2 production request(s) of 120 (+1.2s HTTP 503 from (none))"
    canary_cost = Outcome("5 deploy v5", "ROLLED_BACK", "ROLLED_BACK", 3.0, 40, 120, 0, 7)
    assert canary_cost.ok and canary_cost.verdict() == ""  # a bad release's own errors are its cost, not downtime


def test_an_on_rollback_hook_that_failed_or_left_the_flag_on_fails_the_demo_and_says_why() -> None:
    before, after = {"appointment_reminders": True}, {"appointment_reminders": False}
    cases = [
        (RollbackHookCheck("flags-off", True, before, after), None),
        (
            RollbackHookCheck("flags-off", True, before, after, ("answered FAILED: flag service down",)),
            "on_rollback hook flags-off failed: answered FAILED: flag service down",
        ),
        (
            RollbackHookCheck("flags-off", True, before, before),
            "flag appointment_reminders still on after the rollback",
        ),
    ]
    for check, problem in cases:
        assert check.problem == problem
        outcome = Outcome("2 deploy v3", "ROLLED_BACK", "ROLLED_BACK", 3.0, 40, 120, 0, 5, (), check)
        assert outcome.ok is (problem is None)
        assert outcome.verdict() == ("" if problem is None else f"2 deploy v3: {problem}")
    unreadable = RollbackHookCheck("flags-off", True, before, None)
    assert unreadable.problem == "the flags could not be read through the router"
    not_run = RollbackHookCheck("flags-off", False, before, before)
    assert not_run.problem is not None and not_run.problem.startswith("on_rollback hook flags-off did not run")
