"""The time CloudWatch's datapoints are on, as the judge reads them.

On AWS it is the system clock. Local runs compress time (a 300 s bake takes 3 s at the demo's
0.01), so a judge on the system clock would find no whole 60 s period in a bake: the local
harness points `metrics_now` at its virtual clock (cutover/local/aws_timing.py, `utc_now`),
the clock the router stamps the ALB's metrics with. Timeline and lock times stay on the system
clock: the CLI and DynamoDB compare them with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Source = Callable[[], datetime]


def _system() -> datetime:
    return datetime.now(UTC)


_source: Source = _system


def metrics_now() -> datetime:
    """Now, on the clock CloudWatch's datapoints are stamped with."""
    return _source()


def use_metrics_clock(source: Source | None) -> None:
    """The harness's virtual clock (None: the system clock again)."""
    global _source  # noqa: PLW0603 - one clock per process, as the system clock is
    _source = source or _system
