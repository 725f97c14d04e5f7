"""Compress Step Functions Wait states and Retry back-off in moto's interpreter, and
record what was requested, so tests can assert the waits without spending them.

Task timeouts (TimeoutSeconds on a task) are not compressed: they run in real time."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any


@dataclass
class TimeRecorder:
    scale: float = 0.001  # 1 s of ASL Wait takes 1 ms
    waits: list[float] = field(default_factory=list)
    retry_sleeps: list[float] = field(default_factory=list)


recorder = TimeRecorder()


def install(scale: float = 0.001) -> TimeRecorder:
    # Imported here: the router's process reads `recorder` and needs no moto (seconds of CPU).
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function

    recorder.scale = scale
    if getattr(wait_function.WaitFunction._wait_interval, "cutover_compressed", False):
        return recorder

    def wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
        recorder.waits.append(wait_seconds)
        if wait_seconds > 0:
            # The event-based wait is kept, so a failing Parallel branch still cancels it.
            env.program_state_event.wait(wait_seconds * recorder.scale)

    wait_interval.cutover_compressed = True  # type: ignore[attr-defined]
    setattr(wait_function.WaitFunction, "_wait_interval", wait_interval)  # noqa: B010
    # The retrier calls `time.sleep` through its module's own `time` name.
    setattr(retrier_decl, "time", SimpleNamespace(sleep=recorder.retry_sleeps.append))  # noqa: B010
    return recorder
