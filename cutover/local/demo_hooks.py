"""The demo's on_rollback hook: the feature flags a release switched on, turned back off.

`make synth-local` configures the local stack with `DEMO_HOOKS` (`python -m cutover.local.demo_hooks`
prints them as the `hooks` context value), so the state machine invokes `cutover-demo-flags-off` once
a deployment's rollback has finished. The local stage creates that function on local AWS
(hook_functions: its invocation runs `FlagsOffHook` in this process), where it does what a team's
own hook would do with their flag service: it turns off the flags the rolled-back release switched
on (`RELEASE_FLAGS`), in the flags file every task of the example service reads (feature_flags). A
user sees the flags in `/health` through the router (`flags_through`).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cutover.local.feature_flags import FlagsFile
    from cutover.local.runtime import LocalCutover

FLAGS_OFF_FUNCTION = "cutover-demo-flags-off"
# The local stack's account (moto's default) and region: the ARN is fixed when the stack is synthesized.
FLAGS_OFF_ARN = f"arn:aws:lambda:eu-west-1:123456789012:function:{FLAGS_OFF_FUNCTION}"
# Task timeouts run in real time locally; the hook writes one small file.
DEMO_HOOKS: dict[str, Any] = {"on_rollback": [FLAGS_OFF_ARN], "timeout_seconds": 10}
RELEASE_FLAGS: dict[str, tuple[str, ...]] = {"v3": ("appointment_reminders",)}  # release -> flags it switches on


@dataclass(frozen=True)
class HookRun:
    execution: str
    trigger: str | None
    turned_off: tuple[str, ...]
    error: str | None = None


class FlagsOffHook:
    """The hook function's code: turn off the flags of the release in the event's image."""

    def __init__(self, flags: FlagsFile, release_flags: dict[str, tuple[str, ...]] | None = None) -> None:
        self.flags = flags
        self.release_flags = RELEASE_FLAGS if release_flags is None else release_flags
        self.runs: list[HookRun] = []
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        from cutover.local.loaded_stack import version_of

        names = self.release_flags.get(version_of(str(event.get("image") or "")), ())
        run = HookRun(str(event.get("execution")), event.get("trigger"), names)
        try:
            self.flags.set(dict.fromkeys(names, False))
        except Exception as error:  # recorded here, then answered as Lambda would: an unhandled error
            self._record(HookRun(run.execution, run.trigger, (), f"{type(error).__name__}: {error}"))
            raise
        self._record(run)
        return {"status": "SUCCEEDED"}

    def _record(self, run: HookRun) -> None:
        with self._lock:
            self.runs.append(run)

    def runs_for(self, execution: str) -> list[HookRun]:
        with self._lock:
            return [run for run in self.runs if run.execution == execution]


def install_flags_off_hook(local: LocalCutover, flags: FlagsFile) -> FlagsOffHook:
    """Create the demo's on_rollback function on local AWS, running a FlagsOffHook on `flags`."""
    from cutover.local.hook_functions import create_local_function

    hook = FlagsOffHook(flags)
    create_local_function(local, FLAGS_OFF_ARN, hook)
    return hook


def flags_through(router_url: str, timeout_seconds: float = 5.0) -> dict[str, bool]:
    """The flags production traffic sees: `GET /health` through the router, as `curl` would."""
    with urllib.request.urlopen(f"{router_url}/health", timeout=timeout_seconds) as answer:
        flags: dict[str, bool] = json.loads(answer.read()).get("flags", {})
    return flags


@dataclass(frozen=True)
class RollbackHookCheck:
    """What a scenario with the hook showed: did it run, and are the release's flags off again."""

    hook: str
    ran: bool
    flags_before: dict[str, bool] | None  # as /health showed them through the router; None: unreadable
    flags_after: dict[str, bool] | None
    failures: tuple[str, ...] = ()  # the hook failures Cutover recorded on the deployment

    @property
    def problem(self) -> str | None:
        if self.failures:
            return f"on_rollback hook {self.hook} failed: {self.failures[0]}"
        if not self.ran:
            return f"on_rollback hook {self.hook} did not run (is the stack synthesized with `make synth-local`?)"
        if self.flags_before is None or self.flags_after is None:
            return "the flags could not be read through the router"
        still_on = sorted(name for name, on in self.flags_before.items() if on and self.flags_after.get(name, False))
        if still_on:
            return f"flag {', '.join(still_on)} still on after the rollback"
        return None


def main() -> None:
    print(json.dumps(DEMO_HOOKS))


if __name__ == "__main__":
    main()
