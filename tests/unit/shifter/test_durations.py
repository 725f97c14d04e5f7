"""Human durations for the CLI."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover.shifter.logic.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("2m30s", 150), ("0", 0), (" 1h2m5s ", 3725)],
)
def test_parse(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", " ", "-5", "-5m", "5x", "1.5h", "1h30", "30m1h", "5 m", "m", "١٢"])
def test_parse_rejects_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"use seconds \(90 or 90s\), minutes \(5m\), hours \(1h\)"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59, "59s"), (90, "1m30s"), (3600, "1h"), (3725, "1h2m5s"), (86_400, "24h")]
)
def test_format(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_refuses_negatives() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_duration(-1)


@given(st.integers(0, 10**7))
def test_format_then_parse_is_identity(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds
