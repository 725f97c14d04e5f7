"""Figure 1: alarm reaction time, the event path against the polling path.

One local stack, synthesized with a 5 s poll interval (`strategy_defaults.poll_interval_seconds`,
the configuration's minimum). The poll Wait of the bake runs in real time (`bake_wait_scale`
1.0); every other Wait (stability and health loops) stays compressed, so a trial spends
its time in the bake. Trials alternate between the two paths. In each, a canary deployment
starts with a one-hour bake; once the first bake has begun (the lock item holds the bake's
task token, `task_key == "step:0"`), we sleep a uniformly random time within one poll
interval (an event trial: within its first `poll - EVENT_MARGIN_SECONDS`), put the new
side's 5xx alarm into ALARM, and time until the listener reads back 100 % on the old side
(DescribeListeners every ~5 ms).

- event path: the alarm state change event is also delivered to the alarm listener Lambda,
  as EventBridge would (LocalCutover.deliver_alarm_event); it fails the bake's task token.
- polling path: no event; the bake's poll loop finds the alarm (DescribeAlarms) at its next poll.

Each trial also records which path actually triggered the rollback (from the execution's cause).
An event trial's alarm lands at least EVENT_MARGIN_SECONDS before the next poll: the event
path's own time does not depend on where in the interval the alarm falls, and an alarm set
just before a poll is a race the poll may win (as on AWS) — a trial that measures the poll.
Both Lambdas are warm (one unmeasured event trial first): cold starts are figure 5's subject.
The trials' deployments run no smoke tests (`smoke_tests: []`): nothing before the bake matters here.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from bench.harness import REPOSITORY, local_assemblies, local_cutover, real_time_bake_polls, wait_until
from cutover.local.gc_pauses import frozen_heap
from cutover.shifter.logic.errors import DeploymentRolledBack

POLL_INTERVAL_SECONDS = 5  # the configuration's minimum (shifter/logic/plan.py StrategyDefaults)
BAKE_SECONDS = 3600  # long enough that every trial ends in a rollback during the first bake
LISTENER_POLL_SECONDS = 0.005
PATHS = ("event", "polling")
# About 10x the alarm listener's slowest answer measured (figure 1's split, 101 ms on
# 2026-11-21; 173 ms on 2026-12-04 with a trial's full collection frozen away, gc_pauses).
EVENT_MARGIN_SECONDS = 1.0


@dataclass(frozen=True)
class Trial:
    path: str  # what we did: "event" (event delivered) or "polling" (no event)
    triggered_by: str  # what rolled back, from the execution's cause: "event" or "poll"
    delay_seconds: float  # from the start of the bake to the alarm
    reaction_ms: float  # from the alarm to the listener reading 100 % on the old side
    listener_ms: float | None = None  # event path: from the alarm until the alarm listener Lambda answered


@dataclass
class ReactionResult:
    poll_interval_seconds: int
    bake_wait_scale: float
    trials: list[Trial] = field(default_factory=list)

    def of(self, path: str) -> list[float]:
        return [t.reaction_ms for t in self.trials if t.path == path]

    def median(self, path: str) -> float:
        return statistics.median(self.of(path))

    def maximum(self, path: str) -> float:
        return max(self.of(path))

    def mean(self, path: str) -> float:
        return statistics.fmean(self.of(path))

    @property
    def ratio(self) -> float:
        """How many times faster the event path is (median polling / median event)."""
        return self.median("polling") / self.median("event")

    @property
    def effective_poll_seconds(self) -> float:
        """The poll interval in wall-clock seconds."""
        return self.poll_interval_seconds * self.bake_wait_scale

    def listener_split(self) -> tuple[list[float], list[float]] | None:
        """Event trials: (the alarm listener's part, the rest: the interpreter failing the bake's
        branch, the rollback's steps up to ModifyListener, the read-back), each in ms."""
        events = [t for t in self.trials if t.path == "event" and t.listener_ms is not None]
        if not events:
            return None
        return [t.listener_ms or 0.0 for t in events], [t.reaction_ms - (t.listener_ms or 0.0) for t in events]

    def mismatched(self) -> list[Trial]:
        expected = {"event": "event", "polling": "poll"}
        return [t for t in self.trials if t.triggered_by != expected[t.path]]


def _triggered_by(cause: str) -> str:
    # bake.check_bake: "<alarm> in ALARM at 10 % on green"; handlers/alarm_event: "<alarm> in ALARM on green: …"
    if " in ALARM at " in cause:
        return "poll"
    if " in ALARM on " in cause:
        return "event"
    return "other"


def _trial(local: Any, index: int, path: str, rng: random.Random, poll_seconds: float) -> Trial:
    arn = local.start(
        {"image": f"{REPOSITORY}:r{index}", "strategy": "canary", "bake_seconds": BAKE_SECONDS, "smoke_tests": []},
        f"reaction-{index}-{path}",
    )
    wait_until(lambda: (local.lock() or {}).get("task_key") == "step:0", timeout=60, interval=0.005, what="first bake")
    new_side = str(local.lock()["new_side"])
    old_side = next(side for side in local.weights() if side != new_side)
    alarm = f"cutover-demo-{new_side}-5xx"
    latest = poll_seconds - EVENT_MARGIN_SECONDS if path == "event" else poll_seconds
    delay = rng.uniform(0.0, latest)
    time.sleep(delay)

    started = time.perf_counter()
    local.set_alarm(alarm, "ALARM", "benchmark: 5xx over threshold")
    listener_ms = None
    if path == "event":
        answer = local.deliver_alarm_event(alarm)  # carries the alarm's StateReason
        listener_ms = (time.perf_counter() - started) * 1000
        if answer.get("action") not in {"rollback", "too-late"}:
            raise RuntimeError(f"the alarm listener did not act: {answer}")
    deadline = time.monotonic() + 2 * poll_seconds + 30
    while local.weights()[old_side] != 100:
        if time.monotonic() > deadline:
            raise TimeoutError(f"trial {index} ({path}): traffic never went back to {old_side}")
        time.sleep(LISTENER_POLL_SECONDS)
    reaction_ms = (time.perf_counter() - started) * 1000

    execution = local.wait(arn, timeout_seconds=120)
    if execution.status != "FAILED" or execution.error != DeploymentRolledBack.__name__:
        raise RuntimeError(f"trial {index} ({path}) ended {execution.status} {execution.error}: {execution.cause}")
    local.set_alarm(alarm, "OK", "benchmark: recovered")  # so the next deployment may start
    return Trial(path, _triggered_by(execution.cause or ""), delay, reaction_ms, listener_ms)


def measure_reaction(trials_per_path: int, *, bake_wait_scale: float = 1.0, seed: int = 2024) -> ReactionResult:
    """`trials_per_path` trials of each path, alternating (which goes first alternates too)."""
    (assembly,) = local_assemblies({"strategy_defaults": {"poll_interval_seconds": POLL_INTERVAL_SECONDS}})
    result = ReactionResult(POLL_INTERVAL_SECONDS, bake_wait_scale)
    rng = random.Random(seed)
    poll_seconds = POLL_INTERVAL_SECONDS * bake_wait_scale
    with local_cutover(assembly, time_scale=0.001) as local, real_time_bake_polls(bake_wait_scale):
        # One unmeasured event trial first: both functions' modules imported and every client
        # they use made (the alarm listener's Step Functions client too), so trials are warm.
        _trial(local, 0, "event", rng, poll_seconds)
        # What the warm trial loaded (botocore's service models of every client) joins the frozen
        # heap, so a full collection during a trial walks only what trials create (gc_pauses).
        with frozen_heap():
            index = 0
            for round_number in range(trials_per_path):
                order = PATHS if round_number % 2 == 0 else PATHS[::-1]
                for path in order:
                    index += 1
                    result.trials.append(_trial(local, index, path, rng, poll_seconds))
    return result
