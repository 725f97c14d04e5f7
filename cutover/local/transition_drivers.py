"""Every transition of the zero-downtime suite, driven on a stack under production load.

One implementation for both users: tests/zero_downtime asserts on each transition (its outcome,
where traffic ends, no lost request) and bench figure 8 counts the requests each one served and
failed. A driver starts from whatever state the stack is in (the suite gives each test a fresh
stack; the bench runs them one after the other on one stack, as an operator would) and returns
the load's counts while its execution ran (loaded_stack.Transition).

What the drivers fake is what AWS would do and moto does not: CloudWatch putting an alarm into
ALARM (and EventBridge delivering its event), a user's hook function answering FAILED, and
ModifyListener denied (listener_faults.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from cutover.local import aws_timing, time_compression
from cutover.local.hook_functions import create_local_function
from cutover.local.listener_faults import breakable_modify_listener
from cutover.local.loaded_stack import LoadedStack, Transition, version_of
from cutover.local.runtime import LocalCutover
from cutover.local.smoke_tests import MCP_SMOKE_TEST

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop"
BROKEN = f"{REGISTRY}:v-broken"
BAD_RELEASES = {"v-broken": 1.0}  # answers 500 to every MCP call (its MCP smoke test fails)
SHORT = {"bake_seconds": 120, "termination_wait_seconds": 120}  # AWS seconds: 1.2 s each at 0.01
HALF_THEN_ALL = {"steps": [{"weight": 50, "bake_seconds": 600}, {"weight": 100}]}
CANARY_WEIGHT = 10  # the bad release's canary (bad_canary)
SERVING_BEFORE_ABORT = 10  # answers by the new release before abort_mid_bake aborts (0.2 s at 50 % of 100/s)
ALARM = "cutover-demo-{side}-5xx"  # the stack's per-side 5xx alarm (service_name "demo")
# CloudWatch would set the 5xx alarm once the release answered this many errors (the stack's
# default `http_5xx_count`); the bench's and the suite's alarm is set by the driver.
ALARM_AFTER_ERRORS = 5
HOOK = "arn:aws:lambda:eu-west-1:123456789012:function:cutover-hook-migrations"
HOOKS: dict[str, Any] = {"before_traffic": [HOOK], "timeout_seconds": 2}  # the stack's `hooks` context
HOOK_FAILURE = "schema version 41 expected, found 40"

LockTest = Callable[[dict[str, Any]], bool]


def _propagation_real_seconds() -> float:
    """The listener propagation lag of local AWS's timing, in real seconds on the run's clock."""
    timing = aws_timing.current()
    return 0.0 if timing is None else timing.listener_propagation_seconds * time_compression.recorder.scale


@dataclass
class ReleaseHook:
    """The user's before_traffic hook (HOOK): a migration check that passes, or answers FAILED
    with its reason while `failing`, as a team's Lambda would."""

    failing: bool = False
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
        if self.failing:
            return {"status": "FAILED", "reason": HOOK_FAILURE}
        return {"status": "SUCCEEDED"}


def install_release_hook(local: LocalCutover) -> ReleaseHook:
    """The stack's before_traffic hook function (HOOKS) on local AWS, passing until told to fail."""
    hook = ReleaseHook()
    create_local_function(local, HOOK, hook)
    return hook


def in_bake(index: int) -> LockTest:
    return lambda lock: lock.get("task_key") == f"step:{index}"


def in_final_wait(lock: dict[str, Any]) -> bool:
    return bool(lock.get("phase") == "final-wait" or str(lock.get("task_key", "")).startswith("final"))


def idle_side(local: LocalCutover) -> str:
    """The side without traffic: the one a deployment brings up."""
    weights = local.weights()
    return min(weights, key=lambda side: weights[side])


@dataclass
class Drivers:
    """The transitions, each run to its end on `stack` (whose stack has HOOKS when `hook` is set)."""

    stack: LoadedStack
    hook: ReleaseHook | None = None
    started: int = 0  # executions the drivers started: names must be unique per state machine

    def named(self, name: str) -> str:
        self.started += 1
        return f"{name}-{self.started}"

    @property
    def local(self) -> LocalCutover:
        return self.stack.local

    # ---------------------------------------------------------------- deployments that succeed
    def deploy(self, image: str, strategy: dict[str, Any] | None = None, name: str = "deploy") -> Transition:
        """canary (the default), linear or all-at-once, with SHORT bakes and final wait."""
        return self.stack.run({"image": image, **(strategy or {}), **SHORT}, self.named(name))

    def pause_and_promote(self, image: str) -> Transition:
        """Explicit steps whose second pauses; an operator's `promote` ends the pause."""
        steps = [{"weight": 20, "bake_seconds": 60}, {"weight": 50, "pause": True}, {"weight": 100}]
        document = {"image": image, "strategy": {"steps": steps}, "termination_wait_seconds": 120}
        return self.stack.run_acting(
            document,
            self.named("pause-promote"),
            in_bake(1),
            lambda: self.local.run({"action": "promote"}, self.named("promote")),
        )

    # ---------------------------------------------------------------- deployments rolled back
    def alarm_rollback(self, image: str, path: Literal["event", "poll"]) -> Transition:
        """The new side's 5xx alarm goes to ALARM in the first bake; `event`: EventBridge delivers
        its state change to the alarm listener; `poll`: the bake's next poll reads it."""
        alarm = ALARM.format(side=idle_side(self.local))

        def fire() -> None:
            self.local.set_alarm(alarm, "ALARM", reason="12 target 5xx in 1 minute")
            if path == "event":
                self.local.deliver_alarm_event(alarm)

        try:
            document = {"image": image, "strategy": HALF_THEN_ALL}
            return self.stack.run_acting(document, self.named(f"alarm-{path}"), in_bake(0), fire)
        finally:
            self.local.set_alarm(alarm, "OK", reason="recovered")

    def bad_canary(self) -> Transition:
        """A release that answers 500 to every call gets a CANARY_WEIGHT % canary (its smoke test
        is the stack's GET /health, which it passes); once it answered ALARM_AFTER_ERRORS errors its
        5xx alarm fires, as CloudWatch's would, and the rollback puts traffic back. Its errors are
        the release's own cost, bounded by its weight and how long it baked."""
        alarm = ALARM.format(side=idle_side(self.local))
        mark = self.stack.load.snapshot()

        def erred(lock: dict[str, Any]) -> bool:
            return in_bake(0)(lock) and self.stack.load.snapshot().since(mark).release_errors >= ALARM_AFTER_ERRORS

        def fire() -> None:
            self.local.set_alarm(alarm, "ALARM", reason=f"{ALARM_AFTER_ERRORS} target 5xx in 1 minute")
            self.local.deliver_alarm_event(alarm)

        steps = [{"weight": CANARY_WEIGHT, "bake_seconds": 600}, {"weight": 100}]
        try:
            document = {"image": BROKEN, "strategy": {"steps": steps}}
            return self.stack.run_acting(document, self.named("bad-canary"), erred, fire)
        finally:
            self.local.set_alarm(alarm, "OK", reason="recovered")

    def failed_smoke_test(self) -> Transition:
        """The broken release fails its MCP smoke test through the test route, before any traffic."""
        return self.stack.run({"image": BROKEN, "smoke_tests": [MCP_SMOKE_TEST], **SHORT}, self.named("smoke-fails"))

    def failed_hook(self, image: str) -> Transition:
        """The before_traffic hook answers FAILED: rolled back before any traffic moves."""
        if self.hook is None:
            raise RuntimeError("the stack has no hook function (synthesize it with HOOKS, install_release_hook)")
        self.hook.failing = True
        try:
            return self.stack.run({"image": image, **SHORT}, self.named("hook-fails"))
        finally:
            self.hook.failing = False

    def abort_mid_bake(self, image: str, name: str = "abort-mid-bake") -> Transition:
        """Aborted at 50 % once every router node applies the shift (the propagation lag after
        the bake began) and the new release has answered SERVING_BEFORE_ABORT production requests:
        the bake begins right after the ModifyListener, before any node applies it, and an abort
        then found green serving nothing (the control's window in 2 of 6 runs, 2026-12-06), which
        tests no rollback under traffic."""
        mark, version = self.stack.load.snapshot(), version_of(image)
        propagated_after = _propagation_real_seconds()
        bake_seen: list[float] = []

        def serving(lock: dict[str, Any]) -> bool:
            if not in_bake(0)(lock):
                return False
            if not bake_seen:
                bake_seen.append(time.monotonic())
            answered = self.stack.load.snapshot().since(mark).by_version.get(version, 0)
            return time.monotonic() - bake_seen[0] >= propagated_after and answered >= SERVING_BEFORE_ABORT

        return self.stack.run_acting(
            {"image": image, "strategy": HALF_THEN_ALL},
            self.named(name),
            serving,
            lambda: self.local.run({"action": "abort"}, self.named("abort")),
        )

    def abort_in_final_wait(self, image: str) -> Transition:
        document = {"image": image, "strategy": "all-at-once", "termination_wait_seconds": 600}
        return self.stack.run_acting(
            document,
            self.named("abort-final-wait"),
            in_final_wait,
            lambda: self.local.run({"action": "abort"}, self.named("abort")),
        )

    # ---------------------------------------------------------------- actions on a deployed service
    def rollback(self) -> Transition:
        """Back to the previous release, on the other side (scaled up first when it is cold)."""
        return self.stack.run({"action": "rollback"}, self.named("rollback"))

    def switch(self, to: str | None = None, *, force: bool = False) -> Transition:
        """All traffic to `to` (default: the idle side); `force` skips the smoke tests."""
        document: dict[str, Any] = {"action": "switch", "to": to or idle_side(self.local)}
        if force:
            document["force"] = True
        return self.stack.run(document, self.named("forced-switch" if force else "switch"))

    def incomplete_rollback(self, image: str) -> Transition:
        """An abort mid-bake whose rollback's ModifyListener is denied: traffic stays split and the
        lock is quarantined (RollbackIncomplete), which `repair` then ends."""
        with breakable_modify_listener() as listener:

            def break_then_abort() -> None:
                listener["broken"] = True
                self.local.run({"action": "abort"}, self.named("abort"))

            document = {"image": image, "strategy": HALF_THEN_ALL}
            return self.stack.run_acting(document, self.named("doomed"), in_bake(0), break_then_abort)

    def repair(self) -> Transition:
        return self.stack.run({"action": "repair"}, self.named("repair"))
