"""Follow an execution until it ends: a live view on a terminal, change lines otherwise."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console, Group, RenderableType
from rich.live import Live

from cutover.cli import render
from cutover.cli.errors import WatchTimedOut
from cutover.cli.target import Target
from cutover.cli.views import RolloutView, rollout_view


def follow(
    target: Target,
    execution_arn: str,
    console: Console,
    *,
    interval: float,
    timeout: float,
    annotate: Callable[[], RenderableType] | None = None,
) -> RolloutView:
    """Bounded by `timeout` seconds; returns the final view. `annotate` adds lines below it."""
    deadline = time.monotonic() + timeout

    def frame(view: RolloutView) -> RenderableType:
        return render.rollout(view) if annotate is None else Group(render.rollout(view), annotate())

    if console.is_terminal:
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            while True:
                view = rollout_view(target, execution_arn)
                live.update(frame(view))
                if view.status != "RUNNING" or time.monotonic() > deadline:
                    break
                time.sleep(interval)
    else:
        last: tuple[object, ...] = ()
        while True:
            view = rollout_view(target, execution_arn)
            key = (view.status, view.weights["blue"], view.phase, view.states[-1:] if view.states else ())
            if key != last:
                console.print(frame(view))
                last = key
            if view.status != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(interval)
    if view.status == "RUNNING":
        raise WatchTimedOut(
            f"still running after {timeout:.0f} s; follow it with: cutover watch {execution_arn}",
            execution_arn=execution_arn,
        )
    return view
