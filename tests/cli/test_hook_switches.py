"""`cutover deploy --skip-hooks` and on_rollback hook failures in `cutover history`, against
local AWS with an on_step hook that fails at the first step (the rollback's trigger)."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from cutover.cli import main
from cutover.cli.main import app
from cutover.local.runtime import LocalCutover
from cutover.shifter.logic.quotas import (
    ON_ROLLBACK_HOOK_EVENTS,
    ON_ROLLBACK_STAGE_EVENTS,
    ON_STEP_HOOK_EVENTS,
    ON_STEP_STAGE_EVENTS,
)
from tests.workflow import hook_functions
from tests.workflow.test_step_and_rollback_hooks import IMAGE_V2, rolling_back

__all__ = ["rolling_back"]

FAST = ["--interval", "0.05", "--timeout", "2m"]
runner = CliRunner()
main.console.size = (200, 60)  # a terminal wide enough that table cells do not wrap


def test_a_bad_skip_hooks_stage_fails_before_anything_starts() -> None:
    result = runner.invoke(app, ["deploy", IMAGE_V2, "--skip-hooks", "on_step,on_rolback"])
    assert result.exit_code == 2, result.output
    assert "--skip-hooks: unknown hook stage 'on_rolback' (known: before_traffic, after_traffic," in result.output


def test_skipped_hooks_do_not_run_and_a_failed_on_rollback_hook_shows_in_history(rolling_back: LocalCutover) -> None:
    skipped = runner.invoke(app, ["deploy", IMAGE_V2, "--steps", "10,100", "--skip-hooks", "on_rollback", *FAST])
    assert skipped.exit_code == 1 and "DeploymentRolledBack" in skipped.output, skipped.output
    assert hook_functions.CALLED == ["cutover-hook-synthetic-order"]  # the on_step hook only

    hook_functions.BEHAVIOUR["cutover-hook-flags-off"] = "fail"
    failed = runner.invoke(app, ["deploy", IMAGE_V2, "--steps", "10,100", *FAST])
    assert failed.exit_code == 1 and "DeploymentRolledBack" in failed.output, failed.output
    history = runner.invoke(app, ["history"])
    assert history.exit_code == 0, history.output
    (row,) = [line for line in history.output.splitlines() if "on_rollback hook" in line]
    assert "cutover-hook-flags-off" in row and "HOOK FAILED" in row and "answered FAILED: schema version" in row
    as_json = json.loads(runner.invoke(app, ["history", "-o", "json"]).output)
    newest, older = as_json["records"]
    assert [f["hook"] for f in newest["hook_failures"]] == ["cutover-hook-flags-off"]
    assert newest["outcome"] == "ROLLED_BACK" and older["hook_failures"] == []


def test_plan_against_a_stack_counts_the_hooks_this_deployment_runs(rolling_back: LocalCutover) -> None:
    command = ["plan", "-i", "-", "--stack", "cutover-demo", "--region", "eu-west-1", "-o", "json"]
    canary = {"image": IMAGE_V2, "strategy": "canary"}

    def events(document: dict[str, Any]) -> int:
        result = runner.invoke(app, command, input=json.dumps(document))
        assert result.exit_code == 0, result.output
        count: int = json.loads(result.output)["history_events"]
        return count

    skipping = events({**canary, "hooks": {"on_step": False, "on_rollback": False}})
    # Two steps with one on_step hook each; two on_rollback hooks counted once (shifter/logic/quotas.py).
    on_step = 2 * (ON_STEP_STAGE_EVENTS + ON_STEP_HOOK_EVENTS)
    on_rollback = ON_ROLLBACK_STAGE_EVENTS + 2 * ON_ROLLBACK_HOOK_EVENTS
    assert events(canary) == skipping + on_step + on_rollback
    assert events({**canary, "hooks": {"on_rollback": False}}) == skipping + on_step
