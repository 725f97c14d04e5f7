"""The feature-flags file every local task process reads: the flag service a release flips.

The example service reads `FEATURE_FLAGS_FILE` (a JSON object of flag name -> true/false) at each
request that shows its flags (service/cutover_service/flags.py); the fleet gives every process it
starts the same file, so a flip here reaches both sides at once, as a flag service would. Writes
replace the file in one rename, so a process never reads half of one.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

SERVICE_DIR = Path(__file__).resolve().parents[2] / "service"
if str(SERVICE_DIR) not in sys.path:  # the service's contract module: standard library only
    sys.path.insert(0, str(SERVICE_DIR))

from cutover_service.contract import FEATURE_FLAGS_FILE_VARIABLE  # noqa: E402 - needs service/ on the path first

__all__ = ["FEATURE_FLAGS_FILE_VARIABLE", "FlagsFile"]


class FlagsFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def read(self) -> dict[str, bool]:
        """The flags as written (none when nothing was written yet)."""
        try:
            flags: dict[str, bool] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return flags

    def set(self, flags: dict[str, bool]) -> dict[str, bool]:
        """Set these flags, keep the others; return every flag after the change."""
        with self._lock:
            merged = {**self.read(), **flags}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
            partial.write_text(json.dumps(merged, sort_keys=True), encoding="utf-8")
            partial.replace(self.path)
            return merged
