"""Every exit code of cutover/cli/errors.py, each produced by the situation it names.

In JSON mode the same failure is one JSON error object on stdout with the same exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cutover.cli import main
from cutover.cli.errors import EXIT_CODE_MEANINGS, ExitCode
from cutover.cli.main import app
from cutover.local.runtime import LocalCutover
from tests.workflow.conftest import wait_for_lock

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
runner = CliRunner()


def json_error(stdout: str) -> dict[str, Any]:
    """The last stdout line: in-process Lambdas of local AWS may print their logs before it."""
    document: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    assert document["kind"] == "error"
    return document


def test_every_exit_code_is_documented_in_help_and_docs() -> None:
    assert {code.name: int(code) for code in ExitCode} == {  # scripts rely on these numbers: never renumber
        "OK": 0,
        "DEPLOYMENT_FAILED": 1,
        "INVALID_INPUT": 2,
        "NO_CREDENTIALS": 3,
        "STACK_NOT_FOUND": 4,
        "NOTHING_TO_WATCH": 5,
        "TIMED_OUT": 6,
        "AWS_ERROR": 7,
        "DEPLOYMENT_IN_PROGRESS": 8,
    }
    help_text = runner.invoke(app, ["--help"], terminal_width=400).output
    docs = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    for code in ExitCode:
        assert f"| {int(code)} | `{code.name.lower()}` |" in docs, code
    assert set(EXIT_CODE_MEANINGS) == set(ExitCode)
    assert "Exit codes: 0 " in " ".join(help_text.split())


def test_0_when_the_command_did_what_it_says(cutover: LocalCutover) -> None:
    assert runner.invoke(app, ["status"]).exit_code == ExitCode.OK


def test_1_when_the_action_failed(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["promote", "-o", "json"])
    assert result.exit_code == ExitCode.DEPLOYMENT_FAILED
    final = json.loads(result.stdout.strip().splitlines()[-1])
    assert final["kind"] == "execution" and final["error"] == "NoDeploymentRunning" and final["exit_code"] == 1


def test_2_on_a_usage_error_and_in_json_mode_it_is_json_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["cutover", "status", "--output", "json", "--no-such-option"])
    with pytest.raises(SystemExit) as exited:
        main.main()
    assert exited.value.code == ExitCode.INVALID_INPUT
    captured = capsys.readouterr()
    failure = json.loads(captured.out)
    assert failure["error"]["code"] == "invalid_input" and "--no-such-option" in failure["error"]["message"]
    assert failure["exit_code"] == 2


def test_2_on_a_bad_timeout_before_anything_starts() -> None:
    result = runner.invoke(app, ["deploy", IMAGE_V2, "--timeout", "forever", "-o", "json"])
    assert result.exit_code == 2
    assert json_error(result.stdout)["error"]["message"].startswith("--timeout:")


def test_3_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = runner.invoke(app, ["history", "--region", "eu-west-1", "-o", "json"])
    assert result.exit_code == ExitCode.NO_CREDENTIALS
    assert json_error(result.stdout)["error"]["code"] == "no_credentials"


def test_3_without_a_region(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION", "CUTOVER_REGION"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    result = runner.invoke(app, ["status"])
    assert result.exit_code == ExitCode.NO_CREDENTIALS
    assert "no AWS region" in result.output


def test_4_when_the_stack_does_not_exist(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["watch", "--stack", "cutover-nope", "-o", "json"])
    assert result.exit_code == ExitCode.STACK_NOT_FOUND
    assert "cutover-nope not found" in json_error(result.stdout)["error"]["message"]


def test_4_when_the_stack_is_not_a_cutover_stack(cutover: LocalCutover) -> None:
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    cutover.client("cloudformation").create_stack(StackName="unrelated", TemplateBody=json.dumps(template))
    result = runner.invoke(app, ["status", "--stack", "unrelated"])
    assert result.exit_code == ExitCode.STACK_NOT_FOUND
    assert "is it a Cutover stack?" in result.output


def test_5_when_there_is_nothing_to_watch(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["watch", "-o", "json"])
    assert result.exit_code == ExitCode.NOTHING_TO_WATCH
    assert json_error(result.stdout)["error"]["code"] == "nothing_to_watch"


def test_6_when_still_running_after_the_timeout(cutover: LocalCutover) -> None:
    started = runner.invoke(app, ["deploy", IMAGE_V2, "--steps", "10:pause,100", "--no-watch", "-o", "json"])
    arn = json.loads(started.stdout.strip().splitlines()[-1])["execution_arn"]
    try:
        result = runner.invoke(app, ["watch", arn, "--timeout", "0s", "--interval", "0.05", "-o", "json"])
        assert result.exit_code == ExitCode.TIMED_OUT
        failure = json_error(result.stdout)
        assert failure["error"]["code"] == "timed_out" and failure["error"]["execution_arn"] == arn
        assert cutover.describe(arn).status == "RUNNING"  # only the CLI stopped following
    finally:
        # Abort only once the execution holds the lock and pauses in its first step: an abort sent
        # before it took the lock finds nothing to abort, and the pause then outlasts the wait
        # (a run on a loaded machine failed here after 98 s).
        wait_for_lock(cutover, lambda lock: lock.get("owner") == arn and lock.get("task_key") == "step:0", 60)
        runner.invoke(app, ["abort", "--reason", "test over"])
        cutover.wait(arn, timeout_seconds=120)


def test_7_when_aws_cannot_be_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # botocore would otherwise retry the refused connection
    result = runner.invoke(app, ["status", "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:9"])
    assert result.exit_code == ExitCode.AWS_ERROR
    assert "cannot reach AWS at http://127.0.0.1:9" in result.output
