"""Follow an execution until it ends: a live view on a terminal, change lines otherwise.

Each verdict the judge records is printed once, as one line, when it is first seen; the
latest one with its numbers is the table below the rollout (on a terminal, live; otherwise
once, at the end).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live

from cutover.cli import render
from cutover.cli.errors import WatchTimedOut
from cutover.cli.target import Target
from cutover.cli.views import RolloutView, rollout_view, verdict_key


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
    return follow_views(
        lambda: rollout_view(target, execution_arn), console, interval=interval, timeout=timeout, annotate=annotate
    )


def follow_views(
    read: Callable[[], RolloutView],
    console: Console,
    *,
    interval: float,
    timeout: float,
    annotate: Callable[[], RenderableType] | None = None,
) -> RolloutView:
    """`follow` on whatever `read` returns: one view per refresh, until it is no longer RUNNING."""
    feed = _Feed(read, time.monotonic() + timeout, interval, annotate)
    view = feed.live(console) if console.is_terminal else feed.lines(console)
    if view.status == "RUNNING":
        raise WatchTimedOut(
            f"still running after {timeout:.0f} s; follow it with: cutover watch {view.execution}",
            execution_arn=view.execution,
        )
    return view


@dataclass
class _Feed:
    read: Callable[[], RolloutView]
    deadline: float
    interval: float
    annotate: Callable[[], RenderableType] | None
    printed: set[tuple[object, ...]] = field(default_factory=set)

    def views(self) -> Iterator[RolloutView]:
        """One view per refresh; the last is the first no longer RUNNING, or the one at the deadline."""
        while True:
            view = self.read()
            yield view
            if view.status != "RUNNING" or time.monotonic() > self.deadline:
                return
            time.sleep(self.interval)

    def new_verdicts(self, view: RolloutView) -> list[dict[str, Any]]:
        new = [verdict for verdict in view.verdicts if verdict_key(verdict) not in self.printed]
        self.printed.update(verdict_key(verdict) for verdict in new)
        return new

    def frame(self, view: RolloutView, *, with_verdict: bool) -> RenderableType:
        parts: list[RenderableType] = [render.rollout(view)]
        latest = view.verdict() if with_verdict else None
        if latest is not None:
            parts.append(render.verdict(latest))
        if self.annotate is not None:
            parts.append(self.annotate())
        return Group(*parts)

    def live(self, console: Console) -> RolloutView:
        """A terminal: the view redrawn in place, each new verdict's line printed above it (kept
        in the scrollback)."""
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            for view in self.views():
                for verdict in self.new_verdicts(view):
                    live.console.print(render.verdict_line(verdict))
                live.update(self.frame(view, with_verdict=True))
        return view

    def lines(self, console: Console) -> RolloutView:
        """Not a terminal (CI logs, a pipe): the view when it changes, each new verdict's line,
        and the latest verdict's table once at the end."""
        last: tuple[object, ...] = ()
        for view in self.views():
            key = (view.status, view.weights["blue"], view.phase, view.states[-1:] if view.states else ())
            if key != last:
                console.print(self.frame(view, with_verdict=False))
                last = key
            for verdict in self.new_verdicts(view):
                console.print(render.verdict_line(verdict))
        if (latest := view.verdict()) is not None:
            console.print(render.verdict(latest))
        return view
