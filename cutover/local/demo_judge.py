"""The demo's judged deployments (docs/analysis.md): a slower release the judge rolls back, and a
release at too little traffic for the judge, paused until an operator promotes it.

Every release's tool call does WORK_MS of work (EXTRA_LATENCY_MS: a query to its database, say);
a slow release's does more. Local traffic is compressed with time: at the demo's 0.01, the
20 requests/s of real time are 0.2 per AWS second, 12 per 60 s period, where AWS-sized minimums
ask 2,000 requests per side: the scenario sets minimums for that traffic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cutover.shifter.logic.history import HistoryRecord

WORK_MS = 50
# v5 answers ~40 % later than the ~60 ms the others answer in through the router: no alarm
# catches it (a side's p99 alarm is at 1,000 ms).
SLOW_RELEASES = {"v5": 25}  # image tag -> milliseconds its processes add to every tool call
# Minimums for local traffic, 100x compressed: 6 requests per side and period at a 50 % canary.
# Latency keeps its default 5 periods per side (Mann-Whitney at 95 %), ~4 s of real time.
LOCAL_MINIMUM_REQUESTS = 20
JUDGE_ON_LOCAL_TRAFFIC: dict[str, Any] = {
    "mode": "on",
    "error_rate": {"min_requests": LOCAL_MINIMUM_REQUESTS},
    "latency_p50": {"min_requests": LOCAL_MINIMUM_REQUESTS},
    "latency_p99": {"min_requests": LOCAL_MINIMUM_REQUESTS},
    "on_inconclusive": {"action": "rollback"},  # a judge that cannot decide ends the scenario, bounded
}
# AWS's default minimums (2,000 requests per side) at local traffic: every verdict is inconclusive,
# as at a quiet service on AWS, and the judge pauses the bake for a promote instead of passing it.
JUDGE_AT_TOO_LITTLE_TRAFFIC: dict[str, Any] = {"mode": "on", "on_inconclusive": {"action": "pause"}}
# A 10 % canary would see about one request per period locally: half the traffic gives both sides samples.
JUDGED_CANARY_WEIGHT = 50


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
