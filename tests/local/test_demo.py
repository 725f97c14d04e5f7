"""`make demo` runs real deployments on local AWS and says what each scenario showed."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.synth import ROOT, synth_assembly


def test_demo_runs_its_three_scenarios_to_the_expected_outcomes() -> None:
    environment = {**os.environ, "CUTOVER_DEMO_ASSEMBLY": str(synth_assembly(local=True))}
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
    summary = result.stdout.split("Summary", 1)[1]
    assert summary.count("  ok  ") == 3 and "FAIL" not in summary
    assert "[stand-in]" in result.stdout  # every stand-in is announced
    assert "DeploymentRolledBack: AlarmFired: cutover-demo-blue-5xx in ALARM" in result.stdout
    assert '"_aws"' not in result.stdout  # no raw metric lines in the terminal
