"""The ports and the decisions the steps take from logic/ import no AWS SDK: a step's unit
tests and the CLI's package never pull boto3 in through them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # holds the cutover package


def test_ports_and_the_steps_decisions_import_no_aws_sdk_and_no_adapter() -> None:
    probe = (
        "import sys\n"
        "import cutover.shifter.ports\n"
        "from cutover.shifter.logic import bake, readiness, records, rollback, subjects, targets\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')"
        " or m.startswith('cutover.shifter.adapters')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT)}
    )
    assert result.stdout.strip() == "[]"
