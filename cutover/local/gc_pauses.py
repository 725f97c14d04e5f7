"""Local AWS runs moto, Step Functions' interpreter and every Lambda in one process, so one
garbage collection pauses all of them at once: on AWS they are separate processes and no
such pause exists. A full (generation 2) collection walks every container object alive —
botocore's service models, moto's backends, the interpreter's state — and measured 240 to 430 ms
on an idle machine once a stack existed (bench figure 1's odd listener times, 2026-12-04),
about 1 s on CI, long enough for a bake's poll to beat the alarm event it was racing.

`frozen_heap()` moves everything alive once the stack is created into the permanent
generation (`gc.freeze`, Python's documented way to keep a long-lived heap out of
collections); objects created afterwards are still collected. On exit the heap is thawed,
so a test's backends can be collected once moto resets them."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
_lock = threading.Lock()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Freeze what is alive now; nested uses thaw only when the outermost one exits."""
    global _depth  # noqa: PLW0603 - one heap per process
    with _lock:
        _depth += 1
        # No collection first: freezing is a constant-time splice, and garbage frozen with the
        # heap is collected after the thaw.
        gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
