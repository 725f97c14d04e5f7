"""`make demo`: real blue/green deployments on local AWS, driven through the CLI's code.

moto's server runs on 127.0.0.1 (a free port); the synthesized local stack is created in it
with CloudFormation, as `cdk deploy` would; the real state machine runs in moto's
interpreter with Cutover's real Lambda code; the CLI's deploy/watch/switch/rollback code
drives it through --endpoint-url. Stand-ins, each announced in the output: processes of the
example service (what ECS would run; each tool call takes demo_judge.WORK_MS, a slow release's
more), a router applying the listener's actual rules and weights (the ALB's data plane),
CloudWatch and EventBridge for the alarm, a flags file for a flag service, the stack's
on_rollback hook as a function of this process (demo_hooks), and time.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cutover.local.demo_hooks import FLAGS_OFF_FUNCTION, RELEASE_FLAGS, RollbackHookCheck, flags_through
from cutover.local.demo_judge import (
    JUDGE_AT_TOO_LITTLE_TRAFFIC,
    JUDGE_ON_LOCAL_TRAFFIC,
    JUDGED_CANARY_WEIGHT,
    LOCAL_MINIMUM_REQUESTS,
    SLOW_RELEASES,
    WORK_MS,
    judge_decisions,
    latency_of,
)
from cutover.local.smoke_tests import MCP_SMOKE_TEST
from cutover.local.stage import LOCAL_CREDENTIALS, REGION, LocalStage, quiet
from cutover.shifter.logic.errors import AlarmFired, DeploymentRolledBack, JudgeFailed, SmokeTestFailed

if TYPE_CHECKING:
    from cutover.local.load_generator import LoadGenerator

# The demo's own clock: its module's imports are light (moto's, the heavy ones, come in Demo()).
STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[2]
ASSEMBLY = Path(os.environ.get("CUTOVER_DEMO_ASSEMBLY", ROOT / "cdk.out.local"))
STACK = "cutover-demo"
TIME_SCALE = 0.01  # bakes and waits run 100x faster
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop"
BAD_RELEASES = {"v4": 1.0}  # image tag -> error rate of its processes (a broken release)
LOAD_PER_SECOND = 20
# Smoke tests through the test route: the target group's health path, and a real MCP call
# (tools/list over the streamable-HTTP transport) that must list the service's tool.
SMOKE_TESTS = [{"path": "/health"}, MCP_SMOKE_TEST]
SCENARIO_TIMEOUT = "2m"
SUMMARY_FILE = os.environ.get("CUTOVER_DEMO_SUMMARY")  # where to write the summary as JSON, if set

console = Console(highlight=False)


def stand_in(text: str) -> None:
    console.print(f"  [dim]\\[stand-in][/dim] {text}")


# A rollback's trigger (its cause's first word) as the summary shows it.
TRIGGER_SHOWN = {
    AlarmFired.__name__: "by an alarm",
    SmokeTestFailed.__name__: "by smoke test",
    JudgeFailed.__name__: "by the judge",
}


@dataclass
class Outcome:
    title: str
    expected: str
    outcome: str
    seconds: float
    transitions: int
    requests: int
    failed_requests: int  # the platform failed them (load_generator: no answer, routing 5xx)
    release_errors: int  # a release answered them with an error (its canary's cost)
    failure_examples: tuple[str, ...] = ()
    rollback_hook: RollbackHookCheck | None = None  # a scenario whose release switched flags on
    trigger: str | None = None  # what rolled it back: its cause's first word (JudgeFailed, AlarmFired, ...)
    expected_trigger: str | None = None  # None: any
    weights: dict[str, int] | None = None  # the listener's when it ended
    verdict_detail: dict[str, Any] | None = None  # the judge's latest verdict in its history record
    judge_decisions: tuple[str, ...] = ()  # what the judge decided, in order
    cpu_seconds: float = 0.0  # this process's (moto, the state machine, the Lambdas) during the scenario

    @property
    def ended_as_expected(self) -> bool:
        triggered_as_expected = self.expected_trigger is None or self.trigger == self.expected_trigger
        return self.outcome == self.expected and triggered_as_expected

    @property
    def ok(self) -> bool:
        """Zero downtime is part of every scenario's expectation, and the flags back off after a rollback."""
        hook_problem = self.rollback_hook.problem if self.rollback_hook is not None else None
        return self.ended_as_expected and self.failed_requests == 0 and hook_problem is None

    def verdict(self) -> str:
        if not self.ended_as_expected:
            ended = self.outcome if self.trigger is None else f"{self.outcome} ({self.trigger})"
            expected = self.expected if self.expected_trigger is None else f"{self.expected} ({self.expected_trigger})"
            return f"{self.title}: ended {ended}, expected {expected}"
        if self.failed_requests:
            examples = "; ".join(self.failure_examples[:3])
            return f"{self.title}: lost {self.failed_requests} production request(s) of {self.requests} ({examples})"
        if self.rollback_hook is not None and self.rollback_hook.problem is not None:
            return f"{self.title}: {self.rollback_hook.problem}"
        return ""


class Demo:
    def __init__(self) -> None:
        from cutover.cli.target import Target
        from cutover.local.runtime import LocalCutover

        self.stage: LocalStage | None = None
        self.local: LocalCutover
        self.target: Target
        self.load: LoadGenerator | None = None
        self.outcomes: list[Outcome] = []

    # ------------------------------------------------------------ set-up
    def start(self) -> None:
        from cutover.local.load_generator import LoadGenerator

        self.stage = LocalStage(
            ASSEMBLY,
            STACK,
            REGION,
            time_scale=TIME_SCALE,
            error_rates=BAD_RELEASES,
            extra_latency_ms=latency_of,
            say=console.print,
            stand_in=stand_in,
        )
        self.stage.start()
        stand_in(f"time runs {int(1 / TIME_SCALE)}x faster: a 5-minute bake takes 3 s")
        self.local, self.target = self.stage.local, self.stage.target
        router_url = self.stage.router_url
        # A patient client: on a saturated 2-core machine a call can take seconds without failing.
        self.load = LoadGenerator.mcp(router_url, rate_per_second=LOAD_PER_SECOND, timeout_seconds=5.0)
        self.load.start()
        stand_in(f"{LOAD_PER_SECOND} MCP tool calls/s of production traffic go through the router all along")
        stand_in(f"every release's tool call does {WORK_MS} ms of work (EXTRA_LATENCY_MS), as a database query would")

    def stop(self) -> None:
        if self.load is not None:
            try:
                self.load.stop()
            except Exception as error:  # keep stopping the rest
                console.print(f"[red]while stopping: {error}[/red]")
        if self.stage is not None:
            self.stage.stop()

    @property
    def traffic(self) -> LoadGenerator:
        if self.load is None:
            raise RuntimeError("the demo is not started")
        return self.load

    # ------------------------------------------------------------ scenarios
    def traffic_since(self, mark: Any) -> RenderableType:
        snapshot = self.traffic.snapshot()
        window = snapshot.since(mark)
        recent: dict[str, int] = {}
        for bucket in snapshot.series[-4:]:  # the last 2 s (0.5 s buckets)
            for version, count in bucket.by_version.items():
                recent[version] = recent.get(version, 0) + count
        total = sum(recent.values()) or 1
        now = ", ".join(f"{version} {count / total:.0%}" for version, count in sorted(recent.items()))
        style = "red" if window.platform_failures else "green"
        return Text.assemble(
            ("Requests  ", "dim"),
            f"last 2 s: {now or '-'}; {window.total} in this scenario, ",
            (f"{window.platform_failures} failed", style),
            f", {window.release_errors} release errors" if window.release_errors else "",
        )

    def execution(
        self,
        title: str,
        expected: str,
        document: dict[str, Any],
        *,
        during: Callable[[], None] | None = None,
        meanwhile: Callable[[], None] | None = None,
        release_flags: tuple[str, ...] = (),
        trigger: str | None = None,
    ) -> None:
        """Run one scenario; `release_flags`: the flags its release switches on before it deploys,
        which the stack's on_rollback hook must turn back off; `trigger`: what must roll it back;
        `during`: runs before the execution is followed, `meanwhile`: while it is followed."""
        from cutover.cli.main import start_execution
        from cutover.cli.watching import follow

        console.rule(title)
        flags_before = self.switch_flags_on(release_flags) if release_flags else {}
        mark = self.traffic.snapshot()
        started, cpu_started = time.perf_counter(), time.process_time()
        arn = start_execution(self.target, document, str(document.get("action", "deploy")))
        if during is not None:
            during()
        helper = threading.Thread(target=meanwhile, name="demo-meanwhile", daemon=True) if meanwhile else None
        if helper is not None:
            helper.start()
        final = follow(
            self.target, arn, console, interval=0.2, timeout=120.0, annotate=lambda: self.traffic_since(mark)
        )
        if helper is not None:
            helper.join(timeout=60)
        outcome, rolled_back_by = final.status, None
        if final.status == "FAILED":
            outcome = "ROLLED_BACK" if final.error == DeploymentRolledBack.__name__ else f"FAILED {final.error}"
            rolled_back_by = (final.cause or "").split(":", 1)[0] or None
        verdict, decisions = self.show_verdict(arn)
        transitions = sum(1 for e in self.local.history(arn) if e["type"].endswith("StateEntered"))
        window = self.traffic.snapshot().since(mark)
        for example in window.failure_examples:
            console.print(f"  [red]failed request:[/red] {example}")
        hook_check = self.check_rollback_hook(arn, flags_before) if release_flags else None
        self.outcomes.append(
            Outcome(
                title,
                expected,
                outcome,
                time.perf_counter() - started,
                transitions,
                window.total,
                window.platform_failures,
                window.release_errors,
                window.failure_examples,
                hook_check,
                rolled_back_by,
                trigger,
                dict(final.weights),
                verdict,
                decisions,
                cpu_seconds=time.process_time() - cpu_started,
            )
        )

    def show_verdict(self, arn: str) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
        """The judge's latest verdict in the deployment's history record, as `cutover status` shows
        it, and every decision the judge made."""
        from cutover.cli import render
        from cutover.cli.views import latest_verdict

        records = [record for record in self.local.deployments() if record.execution == arn]
        detail = latest_verdict(None, records)
        if detail is not None:
            console.print(render.verdict(detail))
        return detail, tuple(decision for record in records for decision in judge_decisions(record))

    # ------------------------------------------------------------ feature flags and the on_rollback hook
    def flags_seen(self) -> dict[str, bool] | None:
        """The flags production traffic sees now; None (and said so) when the router did not answer."""
        try:
            flags = flags_through(self.router_url)
        except (OSError, ValueError) as error:
            console.print(f"  [red]Flags     unreadable: GET {self.router_url}/health: {escape(str(error))}[/red]")
            return None
        shown = ", ".join(f"{name} {'on' if on else 'off'}" for name, on in sorted(flags.items())) or "none"
        console.print(f"  [dim]Flags[/dim]     {shown} (curl {self.router_url}/health: through the router)")
        return flags

    def switch_flags_on(self, names: tuple[str, ...]) -> dict[str, bool] | None:
        if self.stage is None or self.stage.fleet is None:
            raise RuntimeError("the demo is not started")
        self.stage.fleet.flags.set(dict.fromkeys(names, True))
        stand_in(f"the release switches {', '.join(names)} on in the flags file every task reads (a flag service)")
        return self.flags_seen()

    def check_rollback_hook(self, arn: str, flags_before: dict[str, bool] | None) -> RollbackHookCheck:
        hook = self.stage.rollback_hook if self.stage is not None else None
        runs = hook.runs_for(arn) if hook is not None else []
        records = [record for record in self.local.deployments() if record.execution == arn]
        failures = tuple(
            failure.failure
            for record in records
            for failure in record.hook_failures
            if failure.hook == FLAGS_OFF_FUNCTION
        )
        for run in runs:
            turned_off = ", ".join(run.turned_off) or "no flag"
            console.print(
                f"  [dim]Hook[/dim]      on_rollback {FLAGS_OFF_FUNCTION} ran (trigger {run.trigger}): {turned_off} off"
            )
        check = RollbackHookCheck(FLAGS_OFF_FUNCTION, bool(runs), flags_before, self.flags_seen(), failures)
        if check.problem is not None:
            console.print(f"  [red]{escape(check.problem)}[/red]")
        return check

    @property
    def router_url(self) -> str:
        if self.stage is None:
            raise RuntimeError("the demo is not started")
        return self.stage.router_url

    def fire_alarm_during_first_bake(self, alarm: str) -> Callable[[], None]:
        def fire() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                held = self.local.lock() or {}
                if held.get("task_key") == "step:0":
                    break
                time.sleep(0.02)
            stand_in(f"CloudWatch: {alarm} -> ALARM (moto evaluates no metrics; the demo sets it)")
            self.local.set_alarm(alarm, "ALARM", "12 target 5xx in 1 minute")
            stand_in("EventBridge: the alarm state change event goes to the alarm listener")
            self.local.deliver_alarm_event(alarm)

        return fire

    def run(self) -> None:
        self.execution(
            "1 deploy v2, canary 10 % → 100 %",
            "SUCCEEDED",
            # Shorter than the defaults (300 s bakes, a 900 s final wait): 15 AWS minutes are 9 s of the
            # demo at its compression, and the canary's split shows within 2 minutes as well; the final
            # wait still outlasts the listener's propagation (30 s) and the old side's draining.
            {
                "image": f"{REGISTRY}:v2",
                "strategy": "canary",
                "bake_seconds": 120,
                "termination_wait_seconds": 120,
                "reason": "demo: ship v2",
                "smoke_tests": SMOKE_TESTS,
            },
        )
        alarm = "cutover-demo-blue-5xx"  # blue is the idle side now, so v3 goes there
        self.execution(
            "2 deploy v3, 5xx alarm in 1st bake",
            "ROLLED_BACK",
            {"image": f"{REGISTRY}:v3", "strategy": "canary", "bake_seconds": 600, "smoke_tests": SMOKE_TESTS},
            during=self.fire_alarm_during_first_bake(alarm),
            release_flags=RELEASE_FLAGS["v3"],
            trigger=AlarmFired.__name__,
        )
        self.local.set_alarm(alarm, "OK", "recovered")
        stand_in("v4's processes answer 500 to everything but their health checks")
        self.execution(
            "3 deploy v4, broken: smoke fails",
            "ROLLED_BACK",
            {"image": f"{REGISTRY}:v4", "smoke_tests": SMOKE_TESTS},
            trigger=SmokeTestFailed.__name__,
        )
        self.judged_slow_release()
        self.execution(
            "5a rollback to v1 (cold: scale up)", "SUCCEEDED", {"action": "rollback", "reason": "demo: back to v1"}
        )
        self.execution("5b switch to green (v2, warm)", "SUCCEEDED", {"action": "switch", "to": "green"})
        self.execution("5c switch back to blue (v1)", "SUCCEEDED", {"action": "switch", "to": "blue"})
        self.paused_quiet_release()

    def judged_slow_release(self) -> None:
        slower = SLOW_RELEASES["v5"]
        stand_in(
            f"v5's processes answer every tool call {slower} ms later, ~40 % slower: far under the p99 alarm's "
            "1,000 ms, no alarm fires"
        )
        # Local traffic is 100x compressed with time: minimums sized for AWS would never be met.
        stand_in(
            f"the judge's minimums fit local traffic, 100x compressed with time: {LOCAL_MINIMUM_REQUESTS} requests "
            f"per side (on AWS 2,000) and 5 periods; a {JUDGED_CANARY_WEIGHT} % canary gives both sides samples"
        )
        self.execution(
            "4 deploy v5, 40 % slower, judge on",
            "ROLLED_BACK",
            {
                "image": f"{REGISTRY}:v5",
                "strategy": "canary",
                "canary_weight": JUDGED_CANARY_WEIGHT,
                "bake_seconds": 900,  # 15 periods: the judge fails it after 5 or 6 per side
                "smoke_tests": SMOKE_TESTS,
                "reason": "demo: v5 under the judge",
                "analysis": JUDGE_ON_LOCAL_TRAFFIC,
            },
            trigger=JudgeFailed.__name__,
        )

    def paused_quiet_release(self) -> None:
        stand_in(
            "v6 under the judge's AWS-sized minimums (2,000 requests per side): local traffic never meets them, "
            "as a quiet service would not, so every verdict is inconclusive and the judge pauses instead of passing"
        )
        self.execution(
            "6 deploy v6, too little traffic: paused, promoted",
            "SUCCEEDED",
            {
                "image": f"{REGISTRY}:v6",
                "strategy": "canary",
                # 3 whole 60 s periods: the judge has verdicts (all inconclusive) before the bake's end,
                # where it pauses; the final wait's judge then finds the promote already requested.
                "bake_seconds": 180,
                "termination_wait_seconds": 120,
                "smoke_tests": SMOKE_TESTS,
                "reason": "demo: v6 at too little traffic",
                "analysis": JUDGE_AT_TOO_LITTLE_TRAFFIC,
            },
            meanwhile=self.promote_when_paused,
        )

    def promote_when_paused(self) -> None:
        """An operator's `cutover promote` once the judge has paused the canary's bake."""
        from cutover.cli.main import start_execution

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            held = self.local.lock() or {}
            if held.get("paused_key") and held.get("paused_key") == held.get("task_key"):
                break
            time.sleep(0.05)
        else:
            console.print("  [red]the judge did not pause the bake within 60 s[/red]")
            return
        stand_in("an operator reads the inconclusive verdict and runs `cutover promote`")
        document = {"action": "promote", "reason": "demo: too little traffic to judge, the release looks right"}
        start_execution(self.target, document, "promote")

    def summary(self) -> Table:
        table = Table(
            title="Summary",
            caption=(
                "states: state transitions; reqs: production requests during the scenario; "
                "lost: requests the platform failed; errors: errors a release answered itself; "
                "flags: the release's feature flags after its rollback (its on_rollback hook turns them off)"
            ),
            title_justify="left",
            caption_justify="left",
        )
        table.add_column("scenario", min_width=20, ratio=1)
        for column in ("outcome", "time", "states", "reqs", "lost", "errors", "flags"):
            table.add_column(column, no_wrap=True)
        for outcome in self.outcomes:
            by = f"\n{TRIGGER_SHOWN.get(outcome.trigger, outcome.trigger)}" if outcome.trigger else ""
            shown = (
                Text(f"{outcome.outcome}{by}", style="green")
                if outcome.ended_as_expected
                else Text(f"{outcome.outcome}{by} (expected {outcome.expected})", style="bold red")
            )
            table.add_row(
                outcome.title,
                shown,
                f"{outcome.seconds:.0f} s",
                str(outcome.transitions),
                str(outcome.requests),
                Text(str(outcome.failed_requests), style="green" if not outcome.failed_requests else "red"),
                str(outcome.release_errors),
                flags_cell(outcome.rollback_hook),
            )
        return table

    def write_summary(self, path: Path, run: RunTime) -> None:
        """The summary for machines (tests, CI): one object per scenario, and the whole run's time."""
        rows = [
            {
                "scenario": outcome.title,
                "expected": outcome.expected,
                "outcome": outcome.outcome,
                "trigger": outcome.trigger,
                "weights": outcome.weights,
                "verdict": outcome.verdict_detail,
                "judge_decisions": list(outcome.judge_decisions),
                "seconds": round(outcome.seconds, 2),
                "cpu_seconds": round(outcome.cpu_seconds, 2),
                "transitions": outcome.transitions,
                "requests": outcome.requests,
                "failed_requests": outcome.failed_requests,
                "release_errors": outcome.release_errors,
                "failure_examples": list(outcome.failure_examples),
                "rollback_hook": rollback_hook_row(outcome.rollback_hook),
                "ok": outcome.ok,
            }
            for outcome in self.outcomes
        ]
        summary = {"ok": all(row["ok"] for row in rows), **run.as_dict(), "scenarios": rows}
        path.write_text(json.dumps(summary, indent=2) + "\n")


def cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (every process the demo started,
    once it stopped them): user and system."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class RunTime:
    """How long the whole demo took, from its start to every process stopped."""

    stand_up_seconds: float = 0.0  # local AWS, the stack, the tasks, the router, the load
    seconds: float = 0.0  # wall: stand-up, scenarios and stopping
    cpu_seconds: float = 0.0  # CPU of this process and every process it started

    def as_dict(self) -> dict[str, float]:
        return {
            "stand_up_seconds": round(self.stand_up_seconds, 2),
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
        }


def flags_cell(check: RollbackHookCheck | None) -> Text:
    if check is None:
        return Text("-", style="dim")
    if check.problem is None:
        return Text("off (hook ran)", style="green")
    if check.failures:
        shown = "hook failed"
    elif not check.ran:
        shown = "hook did not run"
    elif check.flags_after is None:
        shown = "unreadable"
    else:
        shown = "still on"
    return Text(shown, style="bold red")


def rollback_hook_row(check: RollbackHookCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "hook": check.hook,
        "ran": check.ran,
        "flags_before": check.flags_before,
        "flags_after": check.flags_after,
        "failures": list(check.failures),
        "problem": check.problem,
    }


def main() -> int:
    os.environ.update(LOCAL_CREDENTIALS)
    quiet()
    if not (ASSEMBLY / f"{STACK}.template.json").exists():
        console.print(f"no synthesized stack in {ASSEMBLY}: run `make synth-local`")
        return 1
    console.print("[bold]Cutover demo[/bold]: blue/green deployments on local AWS")
    demo, run, started = Demo(), RunTime(), STARTED
    try:
        demo.start()
        run.stand_up_seconds = time.perf_counter() - started
        demo.run()
    finally:
        demo.stop()
    run.seconds, run.cpu_seconds = time.perf_counter() - started, cpu_seconds()
    console.print(demo.summary())
    console.print(
        f"[dim]{run.seconds:.0f} s from start to stop ({run.stand_up_seconds:.0f} s to stand up), "
        f"{run.cpu_seconds:.0f} s of CPU[/dim]"
    )
    if SUMMARY_FILE:
        demo.write_summary(Path(SUMMARY_FILE), run)
    problems = [outcome.verdict() for outcome in demo.outcomes if not outcome.ok]
    if not problems:
        console.print("[green]Every scenario ended as expected, with no failed production request.[/green]")
        return 0
    for problem in problems:
        console.print(f"[red]{escape(problem)}[/red]")
    return 1


if __name__ == "__main__":
    sys.exit(main())
