"""A seeded campaign of deployments under injected faults; the invariant after each.

`make reliability` runs the full campaign (python -m tests.reliability.campaign); `make test`
runs a bounded subset (tests/reliability/test_fault_injection.py). Each run draws a
strategy, a condition (none, a failing smoke test, unhealthy targets, an alarm already
firing or firing during the first bake) and up to three faults from its own seed, so a
failing run is replayed with `--seed <seed> --runs 1`.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cutover.local.loaded_stack import MOTO_CONFIG
from cutover.local.repositories import LOCAL_ECR_REPOSITORIES
from cutover.local.runtime import Execution, LocalCutover
from cutover.local.test_route_stand_in import SideBehaviour, TestRouteStandIn
from tests.reliability.faults import Fault, FaultInjector, random_faults
from tests.reliability.invariant import snapshot, violations

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:r{}"
CONDITIONS = ("none", "none", "none", "none", "smoke_fails", "unhealthy", "alarm_before", "alarm_during")
STRATEGIES: tuple[dict[str, Any], ...] = (
    {"strategy": "all-at-once"},
    {"strategy": "canary", "bake_seconds": 120},
    {"strategy": "linear", "linear_step": 50, "bake_seconds": 60},
)
RUN_TIMEOUT_SECONDS = 60.0


@dataclass
class RunResult:
    seed: int
    condition: str
    faults: list[Fault]
    outcome: str
    violations: list[str]
    repaired: bool = False


@dataclass
class Report:
    runs: list[RunResult] = field(default_factory=list)

    @property
    def violations(self) -> list[RunResult]:
        return [run for run in self.runs if run.violations]

    def outcomes(self) -> Counter[str]:
        return Counter(run.outcome for run in self.runs)


def _other(side: str) -> str:
    return "green" if side == "blue" else "blue"


def _fire_alarm_in_first_bake(cutover: LocalCutover, alarm: str, done: threading.Event) -> None:
    while not done.is_set():
        lock = cutover.lock() or {}
        if lock.get("task_key") == "step:0":
            cutover.set_alarm(alarm, "ALARM")
            cutover.deliver_alarm_event(alarm)
            return
        time.sleep(0.005)


def one_run(cutover: LocalCutover, route: TestRouteStandIn, injector: FaultInjector, seed: int) -> RunResult:
    rng = random.Random(seed)
    before = snapshot(cutover)
    new = _other(before.live_side)
    image = IMAGE.format(seed)
    # A short termination wait keeps a run to a few seconds; the final wait is still exercised.
    document = {"image": image, **rng.choice(STRATEGIES), "termination_wait_seconds": 60, "reason": f"run {seed}"}
    condition = rng.choice(CONDITIONS)
    faults = random_faults(rng)
    alarm = f"cutover-demo-{new}-5xx"
    if condition == "smoke_fails":
        route.sides[new] = SideBehaviour(status=503)
    elif condition == "unhealthy":
        cutover.set_target_health(new, "unhealthy")
    elif condition == "alarm_before":
        cutover.set_alarm(alarm, "ALARM")
    injector.arm(faults)
    done = threading.Event()
    arn = cutover.start(document, f"run-{seed}")
    firing = None
    if condition == "alarm_during":
        firing = threading.Thread(target=_fire_alarm_in_first_bake, args=(cutover, alarm, done), daemon=True)
        firing.start()
    try:
        execution = cutover.wait(arn, RUN_TIMEOUT_SECONDS)
    finally:
        done.set()
        injector.disarm()
        if firing is not None:
            firing.join(timeout=5)
        route.sides[new] = SideBehaviour()
        cutover.set_target_health(new, None)
        cutover.set_alarm(alarm, "OK", "reset between runs")
    if execution.status == "FAILED":
        # EventBridge delivers the execution's status change to the lock-release rule.
        cutover.deliver_execution_event(execution.arn, "FAILED")
    result = RunResult(seed, condition, faults, _outcome(execution), [])
    if execution.error == "RollbackIncomplete":
        repair = cutover.run({"action": "repair"}, f"repair-{seed}", RUN_TIMEOUT_SECONDS)
        result.repaired = True
        if repair.status != "SUCCEEDED":
            result.violations.append(f"repair after RollbackIncomplete ended {repair.status}: {repair.cause}")
    result.violations.extend(violations(cutover, execution, before, image))
    return result


def _outcome(execution: Execution) -> str:
    if execution.status == "SUCCEEDED":
        return "SUCCEEDED"
    return "ROLLED_BACK" if execution.error == "DeploymentRolledBack" else f"FAILED {execution.error}"


def run_campaign(
    cutover: LocalCutover, route: TestRouteStandIn, injector: FaultInjector, *, runs: int, seed: int, echo: bool = False
) -> Report:
    report = Report()
    for index in range(runs):
        result = one_run(cutover, route, injector, seed + index)
        report.runs.append(result)
        if echo:
            faults = ", ".join(f"{f.kind} {f.target} x{f.times}" for f in result.faults) or "no faults"
            mark = "VIOLATION " + "; ".join(result.violations) if result.violations else "ok"
            print(f"run {result.seed}: {result.condition}, {faults} -> {result.outcome} {mark}", flush=True)
            if result.violations:
                print(f"  replay: python -m tests.reliability.campaign --seed {result.seed} --runs 1", flush=True)
    return report


def summary(report: Report, injector: FaultInjector, sfn_retries: int) -> list[str]:
    outcomes = ", ".join(f"{name} {count}" for name, count in sorted(report.outcomes().items()))
    return [
        f"outcomes: {outcomes}",
        f"faults injected: {sum(injector.log.injected.values())} ({len(injector.log.injected)} kinds)",
        f"retries: {len(injector.log.sdk_retry_sleeps)} by the SDK, {sfn_retries} by the state machine",
        f"rollbacks: {sum(1 for r in report.runs if r.outcome == 'ROLLED_BACK')}, "
        f"repairs after RollbackIncomplete: {sum(1 for r in report.runs if r.repaired)}",
        f"{len(report.runs)} runs, {len(report.violations)} violations",
    ]


def main() -> int:
    import logging
    import os
    import warnings

    from moto import mock_aws

    from cutover.cdk.test_route import LOCAL_TEST_TOKEN
    from cutover.local import runtime
    from tests.synth import synth_assembly

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261121)
    arguments = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="eu-west-1",
        POWERTOOLS_LOG_LEVEL="CRITICAL",
        POWERTOOLS_METRICS_DISABLED="true",
    )
    warnings.filterwarnings("ignore")
    for noisy in ("moto", "botocore", "aws_lambda_powertools", "cutover-shifter"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    recorder = runtime.install(time_scale=0.001)
    injector = FaultInjector()
    injector.install(runtime.lambda_runtime)
    route = TestRouteStandIn(token=LOCAL_TEST_TOKEN)
    assembly = synth_assembly(local=True, ecr_repositories=list(LOCAL_ECR_REPOSITORIES))
    started = time.monotonic()
    with mock_aws(config=MOTO_CONFIG):
        cutover = LocalCutover(assembly, "cutover-demo", "eu-west-1")
        cutover.create()
        cutover.point_smoke_tests_at(route.url)
        report = run_campaign(cutover, route, injector, runs=arguments.runs, seed=arguments.seed, echo=True)
    route.close()
    print(f"seed {arguments.seed}, {time.monotonic() - started:.0f} s")
    for line in summary(report, injector, len(recorder.retry_sleeps)):
        print(line)
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
