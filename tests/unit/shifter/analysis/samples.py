"""Samples for the judge's tests: one check's traffic and per-period values, built directly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cutover.shifter.contract import Side
from cutover.shifter.logic.analysis.models import (
    LATENCY_P50,
    LATENCY_P99,
    PERIOD_SECONDS,
    BaselineKind,
    CheckSamples,
    SideTraffic,
    SideValues,
    Window,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def window(periods: int, start: datetime = T0) -> Window:
    return Window(start=start, end=start + timedelta(seconds=periods * PERIOD_SECONDS))


def traffic(side: Side, requests: Sequence[int], errors: Sequence[int] | None = None) -> SideTraffic:
    return SideTraffic(side=side, requests=tuple(requests), errors=tuple(errors or [0] * len(requests)))


def check(  # noqa: PLR0917 (one row of a table: both sides' counts, then values)
    new_requests: Sequence[int],
    new_errors: Sequence[int],
    base_requests: Sequence[int],
    base_errors: Sequence[int],
    new_latency: Sequence[float] = (),
    base_latency: Sequence[float] = (),
    *,
    baseline_kind: BaselineKind = "same-window",
    extra: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> CheckSamples:
    """New side green, baseline blue; the latency values serve as both p50 and p99."""
    values = {
        metric: (
            SideValues(side="green", values=tuple(new_latency)),
            SideValues(side="blue", values=tuple(base_latency)),
        )
        for metric in (LATENCY_P50, LATENCY_P99)
    }
    for metric, (new, base) in (extra or {}).items():
        values[metric] = (SideValues(side="green", values=tuple(new)), SideValues(side="blue", values=tuple(base)))
    periods = max(len(new_requests), len(base_requests), 1)
    return CheckSamples(
        baseline_kind=baseline_kind,
        new_window=window(periods),
        baseline_window=window(periods),
        new=traffic("green", new_requests, new_errors),
        baseline=traffic("blue", base_requests, base_errors),
        values=values,
    )
