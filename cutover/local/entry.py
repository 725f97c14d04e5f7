"""The `cutover-local` console script: one line, not a traceback, when the `local` extra is missing.

`cutover-local` drives local AWS (moto), which `pip install cutover` does not bring; its commands
import moto as they load (sandbox_cli.py), so the check comes before them.
"""

from __future__ import annotations

import sys

MISSING_EXTRA = 2  # usage the installation cannot serve: the exit code of invalid usage (docs/cli.md)
MISSING_EXTRA_MESSAGE = "cutover-local: local AWS needs moto, from the local extra: pip install 'cutover[local]'"


def main() -> None:
    try:
        import moto  # noqa: F401  (the sandbox imports it anyway)
    except ImportError:
        print(MISSING_EXTRA_MESSAGE, file=sys.stderr)
        raise SystemExit(MISSING_EXTRA) from None
    from cutover.local.sandbox_cli import main as sandbox_main

    sandbox_main()
