"""`make demo` runs real deployments on local AWS and says what each scenario showed."""

from __future__ import annotations

import os
import subprocess
import sys

from cutover.local.repositories import LOCAL_ECR_REPOSITORIES
from tests.synth import ROOT, synth_assembly


def test_demo_runs_its_scenarios_to_the_expected_outcomes_without_failed_requests() -> None:
    # What `make demo` synthesizes: the local variant with the example service as the image.
    assembly = synth_assembly(local=True, image="asset", ecr_repositories=list(LOCAL_ECR_REPOSITORIES))
    environment = {**os.environ, "CUTOVER_DEMO_ASSEMBLY": str(assembly)}
    result = subprocess.run(
        [sys.executable, "-m", "cutover.local.demo"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Every scenario ended as expected." in result.stdout
    summary = result.stdout.split("Summary", 1)[1]
    rows = [line for line in summary.splitlines() if line.startswith("│ ") and "expected" not in line]
    outcomes = [cells[3].strip() for cells in (row.split("│") for row in rows) if cells[3].strip()]
    assert outcomes == ["SUCCEEDED", "ROLLED_BACK", "ROLLED_BACK", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    failed = [cells[6].strip() for cells in (row.split("│") for row in rows) if cells[6].strip()]
    examples = [line for line in result.stdout.splitlines() if "failed request" in line]
    assert failed == ["0"] * 6, examples  # no production request failed, whatever happened
    assert "[stand-in]" in result.stdout  # every stand-in is announced
    assert "AlarmFired: cutover-demo-blue-5xx in ALARM" in result.stdout
    assert "SmokeTestFailed: POST /mcp" in result.stdout
    assert '"_aws"' not in result.stdout  # no raw metric lines in the terminal
