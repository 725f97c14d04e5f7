"""Human durations for the CLI: "90", "90s", "5m", "1h30m" and back."""

from __future__ import annotations

import re
from typing import Final

# A bare number is seconds only on its own: "1h30" is ambiguous, so it is rejected.
_DURATION: Final = re.compile(r"\d+|(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?(?:(?P<seconds>\d+)s)?", re.ASCII)
_FORMS: Final = "seconds (90 or 90s), minutes (5m), hours (1h) or a combination in that order (1h30m, 2m30s)"


def parse_duration(text: str) -> int:
    """Seconds in `text`; ValueError naming the accepted forms otherwise."""
    cleaned = text.strip()
    match = _DURATION.fullmatch(cleaned)
    if not cleaned or match is None:
        raise ValueError(f"invalid duration {text!r}: use {_FORMS}")
    if match.lastindex is None:
        return int(cleaned)
    hours, minutes, seconds = (int(match[name] or 0) for name in ("hours", "minutes", "seconds"))
    return hours * 3600 + minutes * 60 + seconds


def format_duration(seconds: int) -> str:
    """The shortest h/m/s form: 0 → "0s", 90 → "1m30s", 3600 → "1h"."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative, got {seconds}")
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{value}{unit}" for value, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if value)
    return text or "0s"
