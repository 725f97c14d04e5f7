"""The judge ships in the Lambda asset: it must import neither numpy nor scipy (tens of MB)
nor boto3 (logic/ is pure; adapters/ alone call AWS)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LAMBDAS = Path(__file__).resolve().parents[4]


def test_the_judge_imports_no_heavy_or_aws_module() -> None:
    probe = (
        "import sys\n"
        "from cutover.shifter.logic.analysis import judge, queries, responses\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'boto3', 'botocore') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(LAMBDAS)}
    )
    assert result.stdout.strip() == "[]"
