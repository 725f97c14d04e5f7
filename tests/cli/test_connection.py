"""The connection options are declared once (cutover/cli/connection.py): every command that
talks to AWS takes all four, and each reads the environment with flag > environment > default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cutover.cli.connection import Connection, connected
from cutover.cli.main import app
from cutover.local.runtime import LocalCutover

CONNECTION_OPTIONS = {"--stack", "--region", "--profile", "--endpoint-url"}
OFFLINE_ONLY: set[str] = set()  # commands that never talk to AWS: none (plan can read a stack's defaults)
runner = CliRunner()


def _echo_connection_app() -> typer.Typer:
    """A one-command app that prints the Connection `@connected` hands its command."""
    probe = typer.Typer()

    @probe.command()
    @connected
    def show(*, connection: Connection) -> None:
        typer.echo(json.dumps(connection.__dict__))

    return probe


def test_every_command_takes_the_four_connection_options() -> None:
    command = typer.main.get_command(app)
    assert isinstance(command, typer.core.TyperGroup)
    names = set(command.commands) - OFFLINE_ONLY
    assert {"plan", "deploy", "status", "watch", "history", "switch", "rollback", "promote", "abort", "repair"} <= names
    for name in names:
        options = {opt for param in command.commands[name].params for opt in param.opts}
        assert options >= CONNECTION_OPTIONS, f"{name} lacks {CONNECTION_OPTIONS - options}"


@pytest.mark.parametrize(
    ("environment", "flags", "expected"),
    [
        ({}, [], {"stack": None, "region": None, "profile": None, "endpoint_url": None}),
        (
            {"CUTOVER_STACK": "cutover-shop", "CUTOVER_REGION": "us-east-2", "CUTOVER_ENDPOINT_URL": "http://h:1"},
            [],
            {"stack": "cutover-shop", "region": "us-east-2", "profile": None, "endpoint_url": "http://h:1"},
        ),
        (
            {"CUTOVER_STACK": "cutover-shop", "CUTOVER_REGION": "us-east-2"},
            ["--stack", "cutover-cart", "--region", "eu-west-3"],
            {"stack": "cutover-cart", "region": "eu-west-3", "profile": None, "endpoint_url": None},
        ),
        ({"AWS_PROFILE": "aws"}, [], {"profile": "aws"}),
        ({"AWS_PROFILE": "aws", "CUTOVER_PROFILE": "cutover"}, [], {"profile": "cutover"}),
        ({"AWS_PROFILE": "aws", "CUTOVER_PROFILE": "cutover"}, ["--profile", "flag"], {"profile": "flag"}),
    ],
    ids=["defaults", "environment", "flag-beats-environment", "aws-profile", "cutover-profile-first", "profile-flag"],
)
def test_flag_beats_environment_beats_default(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], flags: list[str], expected: dict[str, str | None]
) -> None:
    for variable in ("CUTOVER_STACK", "CUTOVER_REGION", "CUTOVER_PROFILE", "AWS_PROFILE", "CUTOVER_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    result = runner.invoke(_echo_connection_app(), flags, env=environment)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout).items() >= expected.items()


def test_the_stack_from_the_environment_is_the_one_used(cutover: LocalCutover) -> None:
    missing = runner.invoke(app, ["status"], env={"CUTOVER_STACK": "cutover-elsewhere"})
    assert missing.exit_code == 4 and "cutover-elsewhere not found" in missing.output
    flag_wins = runner.invoke(app, ["status", "--stack", "cutover-demo"], env={"CUTOVER_STACK": "cutover-elsewhere"})
    assert flag_wins.exit_code == 0, flag_wins.output


def test_plan_takes_profile_now_and_stays_offline_without_a_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUTOVER_STACK", raising=False)
    document = {"image": "app:v2", "strategy": "all-at-once"}
    result = runner.invoke(app, ["plan", "-i", "-", "--profile", "nowhere", "-o", "json"], input=json.dumps(document))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["defaults_from"] == "cdk.json"


def test_plan_reads_the_named_stacks_defaults(cutover: LocalCutover) -> None:
    document = {"image": "app:v2"}
    result = runner.invoke(
        app, ["plan", "-i", "-", "-o", "json"], input=json.dumps(document), env={"CUTOVER_STACK": "cutover-demo"}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["defaults_from"] == "stack cutover-demo"


def test_version_is_the_installed_distributions() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cutover {metadata.version('cutover')}"


def test_shell_completion_completes_command_names() -> None:
    """Through the installed console script, as a shell's completion function calls it."""
    script = Path(sys.executable).parent / "cutover"
    shown = subprocess.run(
        [script, "--show-completion", "bash"],
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "_CUTOVER_COMPLETE=complete_bash" in shown.stdout
    completed = subprocess.run(
        [script],
        env={**os.environ, "_CUTOVER_COMPLETE": "complete_bash", "COMP_WORDS": "cutover sta", "COMP_CWORD": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.stdout.split() == ["status"], completed
