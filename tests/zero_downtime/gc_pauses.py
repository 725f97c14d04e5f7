"""How long Python's garbage collector stopped this process (the router, the load generator and
the in-process Lambdas all share it), so a lost request can be told apart from a pause of the
harness itself.

In a long pytest process the heap holds every earlier test's moto backends; a full (generation
2) collection then scans all of it while every thread waits. `freeze()` moves what exists now
into the permanent generation, so collections during a load test scan only what the test
itself allocates.

Measured (2026-12-02, 2 busy cores): after the 170 stacks of tests/reliability/test_bad_input.py
in the same process, the longest collection during a load test was 0.59-0.84 s unfrozen and
0.15-0.18 s frozen. In a whole `make test` (about 850 tests before these), three transitions lost
14 requests each to client timeouts that all fell at one instant, while the shifter's own steps
stalled for 6 s: the process, not the platform, had stopped."""

from __future__ import annotations

import gc
import time
from typing import Any


class GcPauses:
    def __init__(self) -> None:
        self.longest_seconds = 0.0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started:
            self.longest_seconds = max(self.longest_seconds, time.perf_counter() - self._started)

    def __enter__(self) -> GcPauses:
        gc.collect()
        gc.freeze()
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)
        gc.unfreeze()
