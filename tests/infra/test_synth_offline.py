"""What the real CDK CLI and `make test` do with the templates, offline.

`build_app(context)` in-process never sees what the CDK CLI adds (context-provider results,
the lookups themselves), so the account case runs `node_modules/.bin/cdk synth` itself, with
no AWS credentials: a lookup would fail it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.synth import ROOT, resources_of_type, synth, synth_assembly

CDK = ROOT / "node_modules" / ".bin" / "cdk"
ACCOUNT = "123456789012"


def offline_environment(home: Path) -> dict[str, str]:
    """The CLI's environment with every way to find AWS credentials removed."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    environment.update(
        {
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "CDK_DISABLE_VERSION_CHECK": "1",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
    )
    return environment


def subnet_zones(template: dict[str, Any]) -> list[Any]:
    subnets = resources_of_type(template, "AWS::EC2::Subnet").values()
    return [subnet["Properties"]["AvailabilityZone"] for subnet in subnets]


@pytest.mark.skipif(not CDK.exists(), reason="node_modules/.bin/cdk is not installed")
def test_cdk_synth_with_an_account_needs_no_aws_call(tmp_path: Path) -> None:
    output = tmp_path / "out"
    context_file = ROOT / "cdk.context.json"
    before = context_file.read_text() if context_file.exists() else None
    result = subprocess.run(
        [str(CDK), "synth", "--quiet", "-c", f"account={ACCOUNT}", "--output", str(output)],
        cwd=ROOT,
        env=offline_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    template = json.loads((output / "cutover-demo.template.json").read_text())
    # The AZs are CloudFormation's at deploy time, as for an env-agnostic stack: no lookup.
    assert {json.dumps(zone) for zone in subnet_zones(template)} == {
        json.dumps({"Fn::Select": [index, {"Fn::GetAZs": ""}]}) for index in (0, 1)
    }
    manifest = json.loads((output / "manifest.json").read_text())
    assert "missing" not in manifest
    after = context_file.read_text() if context_file.exists() else None
    assert after == before, "synth cached a lookup result in cdk.context.json"


def test_configured_availability_zones_are_used_by_name() -> None:
    zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    template = synth(account=ACCOUNT, availability_zones=zones)["cutover-demo"]
    assert sorted(set(subnet_zones(template))) == zones


# ---------------------------------------------------------------- make test's cfn-lint target
def make_dry_run(target: str) -> str:
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout


def test_make_cfn_lint_lints_the_pipeline_template_ignoring_only_get_stack_output() -> None:
    commands = make_dry_run("cfn-lint")
    assert "-c pipeline=" in commands, "the pipeline stack is never synthesized for the lint"
    (pipeline_lint,) = [line for line in commands.splitlines() if "cfn-lint" in line and "pipeline.template" in line]
    assert "E1022" in pipeline_lint
    (other_lint,) = [line for line in commands.splitlines() if "cfn-lint" in line and "cdk.out/" in line]
    assert "E1022" not in other_lint


def test_the_pipeline_template_lints_clean_but_for_get_stack_output() -> None:
    from cfnlint.api import lint_all  # type: ignore[import-untyped]

    assembly = synth_assembly(pipeline={"repository": "app"})
    (template,) = assembly.glob("*-pipeline.template.json")
    findings = lint_all(template.read_text())
    # Errors and warnings, as the cfn-lint command line reports them (informational I* are off there).
    findings = [finding for finding in findings if finding.rule.id[0] in "EW" and finding.rule.id != "W3005"]
    # What is left is the one rule the Makefile ignores, on Fn::GetStackOutput alone.
    assert findings, "no E1022 left: drop the ignore from the Makefile"
    assert {finding.rule.id for finding in findings} == {"E1022"}
    assert all("Fn::GetStackOutput" in finding.message for finding in findings)
