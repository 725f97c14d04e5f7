"""The `cutover` command line, run with typer's runner against local AWS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutover.cli import main
from cutover.cli.errors import ExitCode
from cutover.cli.main import app
from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import SideBehaviour, TestRouteStandIn
from tests.synth import ROOT
from tests.workflow.conftest import forward_to_a_foreign_target_group

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
FAST = ["--interval", "0.05", "--timeout", "2m"]
runner = CliRunner()
main.console.size = (160, 60)  # a terminal wide enough that table cells do not wrap


def cdk_json_granting(directory: Path, repositories: list[str]) -> None:
    """This project's cdk.json with `ecr_repositories` set, in `directory` (the plan's cwd)."""
    project = json.loads((ROOT / "cdk.json").read_text())
    project["context"]["ecr_repositories"] = repositories
    (directory / "cdk.json").write_text(json.dumps(project))


def test_plan_prints_the_normalized_plan_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cdk_json_granting(tmp_path, ["app"])
    monkeypatch.chdir(tmp_path)
    document = {"image": IMAGE_V2, "strategy": "linear", "linear_step": 25, "bake_seconds": 120}
    result = runner.invoke(app, ["plan", "--input", "-"], input=json.dumps(document))
    assert result.exit_code == 0, result.output
    for weight in ("25 %", "50 %", "75 %", "100 %"):
        assert weight in result.output
    assert "bake 2m" in result.output and "at least" in result.output
    assert "history events (Step Functions allows 25,000; Cutover accepts 20,000)" in result.output


def test_plan_refuses_what_step_functions_could_not_run_with_one_line_naming_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cdk_json_granting(tmp_path, ["app"])  # so that only the plan's length can refuse it
    monkeypatch.chdir(tmp_path)
    hourly_steps = {"image": IMAGE_V2, "strategy": "linear", "linear_step": 1, "bake_seconds": 3_600}
    result = runner.invoke(app, ["plan", "-i", "-"], input=json.dumps(hourly_steps))
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "history events, over the 20,000 Cutover accepts" in line
    week = {"image": IMAGE_V2, "strategy": "linear", "linear_step": 14, "bake_seconds": 86_400}
    assert runner.invoke(app, ["plan", "-i", "-"], input=json.dumps(week)).exit_code == 0
    piped = runner.invoke(app, ["plan", "--pipeline", "-i", "-"], input=json.dumps(week))
    assert piped.exit_code == 2 and "CodePipeline" in piped.output


def test_plan_rejects_invalid_input_with_one_line_and_exit_2() -> None:
    document = {"image": IMAGE_V2, "strategy": {"steps": [{"weight": 50}, {"weight": 50}, {"weight": 100}]}}
    result = runner.invoke(app, ["plan", "-i", "-"], input=json.dumps(document))
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("cutover: strategy.steps[1].weight:")


def test_plan_refuses_an_image_the_execution_role_may_not_pull(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cdk_json_granting(tmp_path, ["shop"])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["plan", "-i", "-"], input=json.dumps({"image": IMAGE_V2}))
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("cutover: image: ") and "repository/app" in line and "'ecr_repositories'" in line


def test_plan_against_a_stack_uses_the_repositories_it_grants(cutover: LocalCutover) -> None:
    granted = ["plan", "-i", "-", "--stack", "cutover-demo", "--region", "eu-west-1"]
    assert runner.invoke(app, granted, input=json.dumps({"image": IMAGE_V2})).exit_code == 0
    unlisted = IMAGE_V2.replace("/app:", "/unlisted:")
    result = runner.invoke(app, granted, input=json.dumps({"image": unlisted}))
    assert result.exit_code == 2 and "'ecr_repositories'" in result.output


def test_deploy_with_a_bad_duration_fails_before_anything_starts() -> None:
    result = runner.invoke(app, ["deploy", IMAGE_V2, "--bake", "5 minutes"])
    assert result.exit_code == 2
    assert "--bake" in result.output and "Traceback" not in result.output


def test_without_credentials_the_error_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = runner.invoke(app, ["status", "--region", "eu-west-1"])
    assert result.exit_code == ExitCode.NO_CREDENTIALS
    assert "no AWS credentials" in result.output and "Traceback" not in result.output


def test_unknown_stack_is_named(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["status", "--stack", "cutover-nope"])
    assert result.exit_code == ExitCode.STACK_NOT_FOUND
    assert "stack cutover-nope not found" in result.output


def test_status_shows_the_live_side_and_each_sides_tasks(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "blue (live)" in result.output and "100 %" in result.output
    assert "nginx:1.27-alpine" in result.output
    assert "No deployment running." in result.output


def test_status_shows_traffic_to_a_target_group_cutover_does_not_own_as_unknown(cutover: LocalCutover) -> None:
    forward_to_a_foreign_target_group(cutover, blue=90, foreign=10)
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "unknown 10 % (a target group Cutover does not own)" in result.output
    assert "blue (live)" not in result.output  # 90 % is not live
    document = json.loads(runner.invoke(app, ["status", "--output", "json"]).output)
    assert (document["weights"], document["live_side"]) == ({"blue": 90, "green": 0, "unknown": 10}, None)


def test_deploy_and_watch_to_success(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["deploy", IMAGE_V2, "--strategy", "canary", "--bake", "2m", *FAST])
    assert result.exit_code == 0, result.output
    assert "SUCCEEDED" in result.output
    assert "blue   0 %" in result.output.replace("█", "")
    assert cutover.weights() == {"blue": 0, "green": 100}
    history = runner.invoke(app, ["history"])
    assert "SUCCEEDED" in history.output and "deploy" in history.output


def test_deploy_and_watch_to_rollback_exits_1(cutover: LocalCutover, test_route: TestRouteStandIn) -> None:
    test_route.sides["green"] = SideBehaviour(status=500)
    result = runner.invoke(app, ["deploy", IMAGE_V2, "--steps", "10,100", "--bake", "1m", *FAST])
    assert result.exit_code == 1
    assert "DeploymentRolledBack" in result.output and "SmokeTestFailed" in result.output
    assert cutover.weights() == {"blue": 100, "green": 0}


def test_manual_actions_answer_clearly(cutover: LocalCutover) -> None:
    promote = runner.invoke(app, ["promote", *["--stack", "cutover-demo"]])
    assert promote.exit_code == 1 and "NoDeploymentRunning" in promote.output
    switch = runner.invoke(app, ["switch", "blue", *FAST])
    assert switch.exit_code == 0 and "already has 100 %" in switch.output
    bad = runner.invoke(app, ["switch", "purple"])
    assert bad.exit_code == 2 and "to:" in bad.output
