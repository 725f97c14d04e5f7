"""`cutover deploy --judge`: the judge's mode for one deployment, checked before anything starts."""

from __future__ import annotations

from typing import get_args

from typer.testing import CliRunner

from cutover.cli import inputs
from cutover.cli.main import app
from cutover.shifter.logic.analysis.models import JudgeConfig

runner = CliRunner()
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v2"


def test_the_modes_are_the_judges_own() -> None:
    annotation = JudgeConfig.model_fields["mode"].annotation
    assert set(inputs.JUDGE_MODES) == set(get_args(annotation))


def test_judge_sets_the_deployments_analysis_mode_and_the_input_validates() -> None:
    document = inputs.deploy_input(
        IMAGE,
        strategy="canary",
        steps=None,
        bake=None,
        canary_weight=None,
        linear_step=None,
        termination_wait=None,
        reason=None,
        judge="dry-run",
    )
    assert document["analysis"] == {"mode": "dry-run"}
    inputs.validate(document)


def test_an_unknown_mode_fails_before_anything_starts() -> None:
    result = runner.invoke(app, ["deploy", IMAGE, "--judge", "maybe", "--region", "eu-west-1"])
    assert result.exit_code == 2
    assert "--judge: 'maybe' is not one of off, dry-run, on" in result.output
