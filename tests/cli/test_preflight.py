"""`cutover preflight`: the gate before `cdk deploy` while the shifter owns the live state.

Why a gate: CloudFormation resolves `{{resolve:ssm:…}}` references when it creates a change
set ("To verify which version of an ssm dynamic reference will be used in a stack operation,
create a change set … review the processed template", CloudFormation dynamic references), so
values read then can be stale when the change set executes during a deployment.
"""

from __future__ import annotations

from typer.testing import CliRunner

from cutover.cli.main import app
from cutover.local.runtime import LocalCutover
from tests.workflow.conftest import wait_for_lock

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
runner = CliRunner()


def test_preflight_passes_with_no_deployment_running(cutover: LocalCutover) -> None:
    result = runner.invoke(app, ["preflight"])
    assert result.exit_code == 0, result.output
    assert "No deployment running" in result.output


def test_preflight_refuses_during_a_deployment_and_names_it(cutover: LocalCutover) -> None:
    request = {"image": IMAGE_V2, "strategy": "canary", "bake_seconds": 1800, "termination_wait_seconds": 0}
    arn = cutover.start(request, "preflight-bake")
    wait_for_lock(cutover, lambda lock: lock.get("task_key") == "step:0")  # the first bake, 90 / 10
    during = runner.invoke(app, ["preflight"])
    assert during.exit_code == 8  # ExitCode.DEPLOYMENT_IN_PROGRESS
    assert arn in during.output and "holds the lock" in during.output
    assert cutover.wait(arn).status == "SUCCEEDED"
    assert runner.invoke(app, ["preflight"]).exit_code == 0
