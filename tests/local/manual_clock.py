"""A clock the test advances by hand, in AWS seconds: timing tests without sleeps or races.

It stands in for aws_timing.VirtualClock (real time / scale); timers due by an `advance` run in
it, in order, in the test's thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ManualTimer:
    due: float
    action: Callable[[], None]
    name: str
    cancelled: bool = False
    fired: bool = False

    def cancel(self) -> None:
        self.cancelled = True

    def is_alive(self) -> bool:
        return not (self.cancelled or self.fired)


@dataclass
class ManualClock:
    time: float = 1_000.0
    timers: list[ManualTimer] = field(default_factory=list)

    def now(self) -> float:
        return self.time

    def call_later(self, aws_seconds: float, action: Callable[[], None], name: str) -> ManualTimer:
        timer = ManualTimer(self.time + max(0.0, aws_seconds), action, name)
        self.timers.append(timer)
        return timer

    def advance(self, aws_seconds: float) -> None:
        target = self.time + aws_seconds
        while due := sorted((t for t in self.timers if t.is_alive() and t.due <= target), key=lambda t: t.due):
            timer = due[0]
            self.time = max(self.time, timer.due)
            timer.fired = True
            timer.action()
        self.time = target
