"""When the ALB control plane last changed a listener: the start of each propagation window.

The router reads the listener through the API (DescribeListeners/DescribeRules); it learns of a
change at its next read. On AWS the propagation lag starts when the change is accepted, so moto's
listener and rule mutations are wrapped here to record that moment on the virtual clock and to
wake the routers, which then read the new configuration at once and let each node apply it after
its own delay.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from cutover.local import aws_timing

MUTATIONS = ("modify_listener", "create_rule", "modify_rule", "delete_rule", "set_rule_priorities")

_lock = threading.Lock()
_changes: list[float] = []  # virtual times of the changes, the last one kept
_subscribers: list[Callable[[], None]] = []


def last_change_at() -> float | None:
    """Virtual time of the last listener or rule change accepted by local AWS (None: none yet)."""
    return _changes[-1] if _changes else None


def subscribe(wake: Callable[[], None]) -> None:
    with _lock:
        _subscribers.append(wake)


def unsubscribe(wake: Callable[[], None]) -> None:
    with _lock:
        if wake in _subscribers:
            _subscribers.remove(wake)


def _changed() -> None:
    with _lock:
        _changes[:] = [aws_timing.clock.now()]
        subscribers = list(_subscribers)
    for wake in subscribers:
        wake()


def install() -> None:
    """Idempotent: wrap moto's listener and rule mutations."""
    # Imported here: the router's own process imports this module too, and needs no moto (whose
    # import costs it seconds of CPU at every start).
    from moto.elbv2 import models as elbv2_models

    for name in MUTATIONS:
        original = getattr(elbv2_models.ELBv2Backend, name)
        if getattr(original, "cutover_listener_change", False):
            continue

        def recorded(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            result = _original(self, *args, **kwargs)
            _changed()
            return result

        recorded.cutover_listener_change = True  # type: ignore[attr-defined]
        setattr(elbv2_models.ELBv2Backend, name, recorded)
