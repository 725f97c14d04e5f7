"""The demo's judged deployments (docs/analysis.md): a slower release the judge rolls back, and a
deployment at low traffic it cannot decide on, paused until a person promotes it.

Every release's tool call does WORK_MS of work (EXTRA_LATENCY_MS: a query to its database, say);
a slow release's does more. Local traffic is compressed with time: at the demo's 0.01, the
20 requests/s of real time are 0.2 per AWS second, 12 per 60 s period, where AWS-sized minimums
ask 2,000 requests per side. The fail scenario sets minimums for that traffic; the inconclusive
one keeps the defaults, so the demo's traffic is the "very low traffic" it cannot judge.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cutover.local.runtime import LocalCutover
    from shifter.logic.history import HistoryRecord

WORK_MS = 50
# v5 answers ~40 % later than the ~60 ms the others answer in through the router: no alarm
# catches it (a side's p99 alarm is at 1,000 ms).
SLOW_RELEASES = {"v5": 25}  # image tag -> milliseconds its processes add to every tool call
# Minimums for local traffic, 100x compressed: 6 requests per side and period at a 50 % canary.
# Latency keeps its default 5 periods per side (Mann-Whitney at 98 %), ~4 s of real time.
LOCAL_MINIMUM_REQUESTS = 20
JUDGE_ON_LOCAL_TRAFFIC: dict[str, Any] = {
    "mode": "on",
    "error_rate": {"min_requests": LOCAL_MINIMUM_REQUESTS},
    "latency_p50": {"min_requests": LOCAL_MINIMUM_REQUESTS},
    "latency_p99": {"min_requests": LOCAL_MINIMUM_REQUESTS},
    "on_inconclusive": {"action": "rollback"},  # a judge that cannot decide ends the scenario, bounded
}
# A 10 % canary would see about one request per period locally: half the traffic gives both sides samples.
JUDGED_CANARY_WEIGHT = 50
# The defaults' 2,000 requests per side: never reached by the demo's traffic, so inconclusive.
JUDGE_PAUSES_WHEN_INCONCLUSIVE: dict[str, Any] = {"mode": "on", "on_inconclusive": {"action": "pause"}}
PAUSED = "paused for a promote"  # the judged note's decision (logic/analysis/actions.decision_text)


def latency_of(release: str) -> int:
    """A release's EXTRA_LATENCY_MS: the work every tool call does, and a slow release's more."""
    return WORK_MS + SLOW_RELEASES.get(release, 0)


def judge_decisions(record: HistoryRecord) -> tuple[str, ...]:
    """What the judge decided in a deployment, in order: its judged notes' decisions."""
    return tuple(
        str(event.detail["decision"])
        for event in record.timeline
        if event.event == "judged" and event.detail.get("decision")
    )


class PromoteWhenPaused:
    """A person watching the deployment: once the judge has paused it for a promote (the decision is
    in the bake's notes on the lock item, what `cutover status` reads), they run `cutover promote`."""

    def __init__(
        self,
        local: LocalCutover,
        promote: Callable[[], str],  # starts the promote execution, returns its ARN
        say: Callable[[str], None],
        timeout_seconds: float = 60.0,
    ) -> None:
        self.local = local
        self.promote = promote
        self.say = say
        self.timeout_seconds = timeout_seconds
        self.status: str | None = None  # the promote execution's, once it ended
        self._thread = threading.Thread(target=self._run, name="demo-promote", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        self._thread.join(self.timeout_seconds)

    def _run(self) -> None:
        deadline = time.monotonic() + self.timeout_seconds
        while time.monotonic() < deadline:
            held = self.local.lock() or {}
            if PAUSED in str(held.get("bake_notes", "")):
                break
            time.sleep(0.05)
        else:
            self.say("[red]the judge never paused the deployment: no promote[/red]")
            return
        self.say("Judge     inconclusive at the bake's end (too few requests): paused; a person promotes")
        self.status = self.local.wait(self.promote(), timeout_seconds=self.timeout_seconds).status
        self.say(f"Promote   {self.status}")
