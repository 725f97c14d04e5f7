"""Publishes the router's ALB metrics every period, as an ALB does: a thread that flushes
`AlbMetrics` each 60 s of the virtual clock, and once more, with everything, when stopped."""

from __future__ import annotations

import threading

from cutover.local import aws_timing
from cutover.local.alb_metrics import PERIOD_SECONDS, AlbMetrics


class MetricsPublisher:
    def __init__(self, metrics: AlbMetrics, clock: aws_timing.VirtualClock = aws_timing.clock) -> None:
        self.metrics = metrics
        self._clock = clock
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alb-metrics", daemon=True)

    def start(self) -> MetricsPublisher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(10)
        self.metrics.flush(everything=True)

    def _run(self) -> None:
        # Every period of the virtual clock (0.6 s of real time at the demo's 0.01); a tenth of a
        # period late, so the period that just ended is whole.
        while not self._stopping.wait(self._clock.real_seconds(PERIOD_SECONDS / 10)):
            if self.metrics.has_ended_periods():
                self.metrics.flush()
