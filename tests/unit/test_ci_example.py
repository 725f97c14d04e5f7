"""docs/ci.md's GitHub Actions workflow parses, deploys with `--watch --output json`, and
reads only fields and exit codes the CLI really has (cutover/cli/json_output.py, errors.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cutover.cli import json_output
from cutover.cli.errors import AwsError, ExitCode
from cutover.cli.views import RolloutView

yaml = pytest.importorskip("yaml")  # PyYAML comes with the dev dependencies (cfn-lint)
CI_DOC = Path(__file__).resolve().parents[2] / "docs" / "ci.md"


def workflow() -> dict[Any, Any]:
    (block,) = re.findall(r"```yaml\n(.*?)```", CI_DOC.read_text(), flags=re.DOTALL)
    loaded: dict[Any, Any] = yaml.safe_load(block)
    return loaded


def deploy_step() -> dict[str, Any]:
    steps = workflow()["jobs"]["deploy"]["steps"]
    (step,) = [s for s in steps if "cutover deploy" in s.get("run", "")]
    return dict(step)


def test_the_workflow_is_a_push_triggered_job_that_builds_pushes_and_deploys() -> None:
    loaded = workflow()
    trigger = loaded.get("on", loaded.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(trigger, dict) and "push" in trigger
    steps = loaded["jobs"]["deploy"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("aws-actions/configure-aws-credentials@") for u in uses)
    assert any(u.startswith("aws-actions/amazon-ecr-login@") for u in uses)
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "docker build" in runs and "docker push" in runs
    assert runs.index("docker push") < runs.index("cutover deploy")
    assert loaded["env"]["CUTOVER_STACK"].startswith("cutover-")


def test_the_deploy_step_watches_writes_json_and_fails_the_job_on_a_non_zero_exit() -> None:
    script = deploy_step()["run"]
    command = script[script.index("cutover deploy") :].split(">", 1)[0]
    assert "--watch" in command and "--output json" in command
    assert 'exit "$code"' in script.strip().splitlines()[-1]
    handled = {int(code) for code in re.findall(r"^\s*(\d+)\)", script, flags=re.MULTILINE)}
    assert handled <= {int(code) for code in ExitCode}
    assert {ExitCode.OK, ExitCode.DEPLOYMENT_FAILED, ExitCode.TIMED_OUT} <= handled


def test_every_field_the_workflow_reads_is_in_the_json_schema() -> None:
    view = RolloutView(
        execution="arn:aws:states:eu-west-1:123456789012:execution:cutover-shop:deploy-1",
        status="FAILED",
        error="DeploymentRolledBack",
        cause="AlarmFired: …",
        output=None,
        weights={"blue": 100, "green": 0},
        phase=None,
        new_side="green",
        bake=None,
    )
    execution = json_output.execution("cutover-shop", view, int(ExitCode.DEPLOYMENT_FAILED))
    error = json_output.error(AwsError("denied"))
    read = re.findall(r"jq -r '\.([a-z_.]+)'", deploy_step()["run"])
    assert read, "the workflow reads the JSON with jq"
    for path in read:
        head, _, tail = path.partition(".")
        document = error if tail else execution  # `.error.message` is the error document's
        assert head in document, path
        if tail:
            assert tail in document[head], path
