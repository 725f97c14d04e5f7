"""The service's lifecycle (starting → ready → draining) and the event-loop lag monitor."""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Phase(enum.StrEnum):
    STARTING = "starting"
    READY = "ready"
    DRAINING = "draining"


class ServiceState:
    """Where the service is in its lifecycle; read by the probes, written by start-up and SIGTERM."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.created_at = clock()
        self.started_at: float | None = None
        self.drain_started_at: float | None = None
        self.in_flight = 0

    @property
    def started(self) -> bool:
        return self.started_at is not None

    @property
    def draining(self) -> bool:
        return self.drain_started_at is not None

    @property
    def phase(self) -> Phase:
        if self.draining:
            return Phase.DRAINING
        return Phase.READY if self.started else Phase.STARTING

    def mark_started(self) -> None:
        if self.started_at is None:
            self.started_at = self._clock()

    def begin_drain(self) -> bool:
        """Flip readiness off; True the first time, False if the drain had already begun."""
        if self.drain_started_at is not None:
            return False
        self.drain_started_at = self._clock()
        return True

    def seconds_since(self, moment: float | None) -> float | None:
        return None if moment is None else round(self._clock() - moment, 3)

    async def finish_startup(self, delay_seconds: float) -> None:
        """Start-up work; here a configurable delay that stands in for loading caches or models."""
        if delay_seconds > 0:
            logger.info("startup: waiting %.1f s (STARTUP_DELAY_SECONDS)", delay_seconds)
            await asyncio.sleep(delay_seconds)
        self.mark_started()
        logger.info("startup finished: ready for traffic", extra={"phase": str(self.phase)})


class LoopLagMonitor:
    """Measures how late the event loop wakes a sleeping task: a stuck loop shows as growing lag.

    `current_lag()` is also correct while the monitor itself has not run yet after a stall: it
    counts the time since the last tick beyond the expected interval.
    """

    def __init__(self, interval_seconds: float = 0.1, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval_seconds
        self._clock = clock
        self.last_lag = 0.0
        self.max_lag = 0.0
        self.last_tick = clock()
        self.ticks = 0

    def current_lag(self) -> float:
        overdue = self._clock() - self.last_tick - self.interval
        return max(self.last_lag, overdue, 0.0)

    def record(self, started: float, now: float) -> None:
        self.last_lag = max(0.0, now - started - self.interval)
        self.max_lag = max(self.max_lag, self.last_lag)
        self.last_tick = now
        self.ticks += 1

    async def run(self) -> None:
        """Sample forever (until cancelled)."""
        self.last_tick = self._clock()
        while True:
            started = self._clock()
            await asyncio.sleep(self.interval)
            self.record(started, self._clock())
