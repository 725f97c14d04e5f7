"""`cutover-local` without the `local` extra says what to install, in one line, and exits 2."""

from __future__ import annotations

import subprocess
import sys

from cutover.local.entry import MISSING_EXTRA_MESSAGE

# moto hidden as if it were not installed: `import moto` then raises ModuleNotFoundError.
WITHOUT_MOTO = """
import sys
sys.modules["moto"] = None
sys.argv = ["cutover-local", "stop"]
from cutover.local.entry import main
main()
"""


def test_without_moto_it_names_the_extra_in_one_line_and_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_MOTO], check=False, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip() == MISSING_EXTRA_MESSAGE
    assert "Traceback" not in result.stderr


def test_with_moto_it_is_the_sandbox_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from cutover.local.entry import main; main()", "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "sandbox" in result.stdout and "alarm" in result.stdout
