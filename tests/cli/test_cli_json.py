"""`--output json`: one JSON document on stdout (schema in docs/cli.md), progress on stderr,
errors as one JSON object with the same exit code; run against local AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cutover.cli.errors import ExitCode
from cutover.cli.json_output import SCHEMA_VERSION
from cutover.cli.main import app
from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import SideBehaviour, TestRouteStandIn
from tests.cli.test_cli import cdk_json_granting
from tests.workflow.test_judge import CANARY, JUDGE, judged, publish_alb_metrics

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
FAST = ["--interval", "0.05", "--timeout", "2m"]
runner = CliRunner()


def _emitted_by_a_lambda(line: str) -> bool:
    """Local AWS runs our Lambdas in this process, so their Powertools log records and
    embedded-metric lines (written to stdout, which on AWS goes to CloudWatch Logs, never to
    the CLI) land in the same captured stdout. Only those are set aside; every other line is
    the CLI's."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and ("_aws" in record or {"level", "location", "message"} <= record.keys())


def document_of(result: Result) -> dict[str, Any]:
    """stdout is exactly one JSON object, plain: no rich markup, no ANSI escape codes."""
    assert "\x1b[" not in result.stdout and "[bold]" not in result.stdout, result.stdout
    lines = [line for line in result.stdout.strip().splitlines() if not _emitted_by_a_lambda(line)]
    assert len(lines) == 1, lines
    (line,) = lines
    document: dict[str, Any] = json.loads(line)
    assert document["schema_version"] == SCHEMA_VERSION
    return document


def test_plan_json_lists_each_step_and_the_durations_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cdk_json_granting(tmp_path, ["app"])  # the image's private ECR repository must be granted
    monkeypatch.chdir(tmp_path)
    request = {"image": IMAGE_V2, "strategy": "linear", "linear_step": 25, "bake_seconds": 120}
    result = runner.invoke(app, ["plan", "-i", "-", "--output", "json"], input=json.dumps(request))
    assert result.exit_code == 0, result.output
    plan = document_of(result)
    assert plan["kind"] == "plan" and plan["valid"] is True and plan["image"] == IMAGE_V2
    assert [(s["weight"], s["old_side_weight"], s["bake_seconds"]) for s in plan["steps"]] == [
        (25, 75, 120),
        (50, 50, 120),
        (75, 25, 120),
        (100, 0, 120),
    ]
    assert plan["strategy"] == "linear" and plan["defaults_from"] == "cdk.json"
    assert plan["minimum_duration_seconds"] >= 4 * 120
    assert 0 < plan["history_events"] <= 20_000 and plan["longest_seconds"] >= plan["maximum_duration_seconds"]


def test_plan_json_of_a_manual_action_says_it_is_valid() -> None:
    result = runner.invoke(app, ["plan", "-i", "-", "-o", "json"], input='{"action": "switch", "to": "green"}')
    assert result.exit_code == 0, result.output
    assert document_of(result) | {"input": None} == {
        "schema_version": SCHEMA_VERSION,
        "kind": "plan",
        "valid": True,
        "action": "switch",
        "input": None,
    }


def test_invalid_input_in_json_mode_is_one_error_object_on_stdout_with_exit_2() -> None:
    request = {"image": IMAGE_V2, "strategy": {"steps": [{"weight": 50}, {"weight": 50}, {"weight": 100}]}}
    result = runner.invoke(app, ["plan", "-i", "-", "-o", "json"], input=json.dumps(request))
    assert result.exit_code == ExitCode.INVALID_INPUT
    failure = document_of(result)
    assert failure["kind"] == "error" and failure["exit_code"] == 2
    assert failure["error"]["code"] == "invalid_input"
    assert failure["error"]["message"].startswith("strategy.steps[1].weight:")
    assert result.stderr == ""  # nothing for a human in JSON mode: the object says it all


def test_status_json_names_the_live_side_and_what_each_side_runs(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["status", "-o", "json"])
    assert result.exit_code == 0, result.output
    status = document_of(result)
    assert status["kind"] == "status" and status["stack"] == "cutover-demo" and status["service"] == "demo"
    assert status["live_side"] == "blue" and status["weights"] == {"blue": 100, "green": 0}
    blue, green = status["sides"]
    assert blue["side"] == "blue" and blue["live"] is True and blue["image"].endswith("nginx:1.27-alpine")
    assert blue["desired"] >= 1 and blue["healthy"] == blue["desired"] and blue["alarms_firing"] == []
    assert green["live"] is False and green["desired"] == 0
    assert status["deployment"] is None


def test_deploy_watch_json_reports_success_and_history_json_records_it(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["deploy", IMAGE_V2, "--strategy", "canary", "--bake", "2m", "-o", "json", *FAST])
    assert result.exit_code == 0, result.output
    final = document_of(result)
    assert final["kind"] == "execution" and final["status"] == "SUCCEEDED" and final["succeeded"] is True
    assert final["rolled_back"] is False and final["error"] is None and final["exit_code"] == 0
    assert final["action"] == "deploy" and final["image"] == IMAGE_V2
    assert final["live_side"] == "green" and final["weights"] == {"blue": 0, "green": 100}
    assert final["started_at"] and final["stopped_at"]
    assert "Started deploy-" in result.stderr  # progress for people goes to stderr
    assert cutover.weights() == {"blue": 0, "green": 100}

    history = runner.invoke(app, ["history", "-o", "json"])
    assert history.exit_code == 0, history.output
    (record,) = document_of(history)["records"]
    assert record["execution_arn"] == final["execution_arn"]
    assert (record["action"], record["image"], record["outcome"]) == ("deploy", IMAGE_V2, "SUCCEEDED")
    assert (record["from_side"], record["to_side"]) == ("blue", "green")
    assert record["steps"][-1] == 100


def test_deploy_watch_json_reports_a_rollback_with_its_trigger_and_exit_1(
    cutover: LocalCutover, test_route: TestRouteStandIn
) -> None:
    test_route.sides["green"] = SideBehaviour(status=500)
    result = runner.invoke(app, ["deploy", IMAGE_V2, "--steps", "10,100", "--bake", "1m", "-o", "json", *FAST])
    assert result.exit_code == ExitCode.DEPLOYMENT_FAILED
    final = document_of(result)
    assert final["status"] == "FAILED" and final["succeeded"] is False and final["rolled_back"] is True
    assert final["error"] == "DeploymentRolledBack" and "SmokeTestFailed" in final["cause"]
    assert final["live_side"] == "blue" and final["exit_code"] == 1


def test_deploy_no_watch_json_then_watch_json_follows_it_to_the_end(cutover: LocalCutover) -> None:
    started = runner.invoke(app, ["deploy", IMAGE_V2, "--strategy", "all-at-once", "--no-watch", "-o", "json"])
    assert started.exit_code == 0, started.output
    running = document_of(started)
    assert running["status"] == "RUNNING" and running["execution_arn"].startswith("arn:aws:states:")
    watched = runner.invoke(app, ["watch", running["execution_arn"], "-o", "json", *FAST])
    assert watched.exit_code == 0, watched.output
    final = document_of(watched)
    assert final["execution_arn"] == running["execution_arn"] and final["status"] == "SUCCEEDED"
    assert final["image"] == IMAGE_V2


def test_watch_json_follows_the_judge_and_ends_with_its_latest_verdict(cutover: LocalCutover) -> None:
    """A dry-run judge on a canary whose sides are alike (the ALB's metrics faked as in
    tests/workflow/test_judge.py, which says why): watch prints each verdict to stderr as it is
    recorded, and its JSON holds them all, the latest with its numbers."""
    publish_alb_metrics(cutover, "blue", requests=1000, errors=5)
    publish_alb_metrics(cutover, "green", requests=1000, errors=5)
    arn = cutover.start({**CANARY, "analysis": {**JUDGE, "mode": "dry-run"}}, "judged-watch")
    watched = runner.invoke(app, ["watch", arn, "-o", "json", *FAST])
    assert watched.exit_code == 0, watched.output
    final = document_of(watched)
    recorded = judged(cutover)
    assert recorded and [{k: v for k, v in verdict.items() if k != "at"} for verdict in final["verdicts"]] == recorded
    latest = final["verdict"]
    assert latest == final["verdicts"][-1] and latest["mode"] == "dry-run"
    assert [metric["metric"] for metric in latest["metrics"]] == ["error_rate", "latency_p50", "latency_p99"]
    assert {metric["new"]["side"] for metric in latest["metrics"]} == {"green"}
    lines = [line for line in watched.stderr.splitlines() if line.startswith("Judge     check")]
    assert len(lines) == len(recorded)
    assert "error_rate pass green 0.50 % vs blue 0.50 %" in lines[-1]
