"""AWS's timing for local AWS: how slow the ALB and ECS are, on the run's compressed clock.

moto's timing is instant: a ModifyListener routes the next request, a new task is `healthy` at
once, a stopped one is gone at once. AWS is slower, and zero downtime depends on waiting it out.
`AwsTiming` holds the knobs the harness cannot read from the template; the rest comes from the
target group itself, as on AWS (health-check interval, healthy threshold, deregistration delay).

All durations are AWS seconds on the run's virtual clock: Wait states and Retry back-off take
`scale` real seconds per AWS second (time_compression), and so do these delays, so a 30 s
propagation lag is 0.3 s of real time in the demo (scale 0.01) and 30 ms in the workflow tests
(scale 0.001). Real time spent elsewhere (a Lambda's Python, the router's proxying) advances the
same clock: at scale 0.001 one real millisecond is one AWS second.

Switch it on with `aws_timing.enable()` (or `runtime.install(timing=AwsTiming(...))`) before the
stack is created; `aws_timing.current()` is None when it is off (moto's instant timing).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from cutover.local import time_compression


@dataclass(frozen=True)
class AwsTiming:
    """How slow AWS is where the template does not say. Defaults and their sources:"""

    listener_propagation_seconds: float = 30.0
    """How long after a ModifyListener/rule change the last ALB node routes by it. AWS documents
    no figure: "Rule updates do not take effect immediately, so requests could be routed using the
    previous rule configuration for a short time after you update a rule" (ELB User Guide,
    edit-rule). 30 s is what Argo Rollouts waits for the same reason (abortScaleDownDelaySeconds,
    default 30 s), and below Cutover's `alb_propagation_seconds` (60 s)."""

    propagation_nodes: int = 3
    """ALB nodes, each picking a change up at its own moment within the window (node i of n at
    (i + 1) / n of it): during the window some requests use the old configuration, some the new.
    An ALB has at least one node per enabled Availability Zone (ELB User Guide, how ELB works)."""

    task_start_seconds: float = 30.0
    """From UpdateService to a new task RUNNING and registered in its target group (Fargate
    provisioning, image pull, container start). AWS documents no figure: this is a choice, and the
    task is never running before its process (the demo's) is up."""

    health_checks_to_healthy: int | None = 1
    """Health checks a newly registered target passes before it is `healthy` (it is `initial`
    until then). AWS: "After your target is registered, it must pass one health check to be
    considered healthy" (ELB User Guide, target-group-health-checks). None: the target group's
    HealthyThresholdCount, the stricter reading (the threshold also applies to a target that
    recovers)."""

    def __post_init__(self) -> None:
        if self.listener_propagation_seconds < 0 or self.task_start_seconds < 0:
            raise ValueError("durations must not be negative")
        if self.propagation_nodes < 1:
            raise ValueError("an ALB has at least one node")
        if self.health_checks_to_healthy is not None and self.health_checks_to_healthy < 1:
            raise ValueError("a target passes at least one health check before it is healthy")

    def node_delays(self) -> tuple[float, ...]:
        """When each node applies a listener change, in AWS seconds after it."""
        nodes = self.propagation_nodes
        return tuple(self.listener_propagation_seconds * (index + 1) / nodes for index in range(nodes))


class Timer(Protocol):
    def cancel(self) -> None: ...
    def is_alive(self) -> bool: ...


class Clock(Protocol):
    """What the emulation needs of time (VirtualClock; tests use a clock they advance by hand)."""

    def now(self) -> float: ...
    def call_later(self, aws_seconds: float, action: Callable[[], None], name: str) -> Timer: ...


class VirtualClock:
    """AWS seconds on the run's compressed clock: real elapsed / scale (time_compression's scale,
    read at each call: a new scale applies from the last reading on, so the clock never goes back)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._real = monotonic()
        self._virtual = 0.0

    def now(self) -> float:
        with self._lock:
            real = self._monotonic()
            self._virtual += (real - self._real) / time_compression.recorder.scale
            self._real = real
            return self._virtual

    def real_seconds(self, aws_seconds: float) -> float:
        return max(0.0, aws_seconds) * time_compression.recorder.scale

    def call_later(self, aws_seconds: float, action: Callable[[], None], name: str) -> threading.Timer:
        """Run `action` in a daemon thread after `aws_seconds` on this clock."""
        timer = threading.Timer(self.real_seconds(aws_seconds), action)
        timer.name = name
        timer.daemon = True
        timer.start()
        return timer


@dataclass
class _Switch:
    timing: AwsTiming | None = None


clock = VirtualClock()
_switch = _Switch()
# Where the virtual clock's second 0 falls in UTC: the process's start, on a 60 s boundary, so
# CloudWatch periods of the router's metrics (alb_metrics) and the judge's windows line up.
ORIGIN = datetime.fromtimestamp(math.floor(time.time() / 60) * 60, tz=UTC)


def utc_now() -> datetime:
    """The virtual clock as a UTC time: what the router stamps metrics with and the judge reads."""
    return ORIGIN + timedelta(seconds=clock.now())


def enable(timing: AwsTiming | None = None) -> AwsTiming:
    """Make local AWS as slow as AWS (the defaults unless `timing` is given)."""
    _switch.timing = timing or AwsTiming()
    return _switch.timing


def disable() -> None:
    """Back to moto's instant timing."""
    _switch.timing = None


def current() -> AwsTiming | None:
    return _switch.timing
