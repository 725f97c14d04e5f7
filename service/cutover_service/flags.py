"""Feature flags from a JSON file: what a release switches on without a new image.

`FEATURE_FLAGS_FILE` names a file holding one JSON object of flag name -> true/false. It is read
again at every request that shows the flags (the /health probes and the `get_version` tool), so a
flip reaches every process sharing the file at once, with no restart: the file stands in for a
flag service (AppConfig, LaunchDarkly) every task reads. No file configured, or none written yet,
means no flag is on. A file that cannot be read or is not such an object is reported as the
error, with no flag on, and never fails a probe: a flag store's outage is no reason for the load
balancer to drop a task.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FlagsReading:
    flags: dict[str, bool] = field(default_factory=dict)
    error: str | None = None

    def shown(self) -> dict[str, object]:
        """What a response carries: `flags`, and `flags_error` when the file could not be used."""
        body: dict[str, object] = {"flags": dict(self.flags)}
        if self.error is not None:
            body["flags_error"] = self.error
        return body


def read_flags(path: str) -> FlagsReading:
    """The flags in the file now; `path` empty means none are configured."""
    if not path:
        return FlagsReading()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return FlagsReading()
    except OSError as error:
        return FlagsReading(error=f"cannot read {path}: {error.strerror}")
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError as error:
        return FlagsReading(error=f"{path} is not JSON: {error.msg}")
    if not isinstance(decoded, dict) or not all(isinstance(value, bool) for value in decoded.values()):
        return FlagsReading(error=f"{path} is not an object of flag name -> true/false")
    return FlagsReading({str(name): value for name, value in decoded.items()})
