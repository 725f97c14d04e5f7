"""`make demo`: real blue/green deployments on local AWS.

The synthesized local stack is created in moto (in this process) the way `cdk deploy`
would create it, and the real state machine runs in moto's interpreter with Cutover's
real Lambda handlers. Stand-ins, each announced in the output: the ALB's test route (a
small HTTP server on 127.0.0.1), CloudWatch putting an alarm into ALARM and EventBridge
delivering its event (moto evaluates no metrics and emits no events), and time (waits
and bakes run 1000x faster than configured).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSEMBLY = Path(os.environ.get("CUTOVER_DEMO_ASSEMBLY", ROOT / "cdk.out.local"))
STACK = "cutover-demo"
REGION = "eu-west-1"
TIME_SCALE = 0.001
REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop"
STEP_TIMEOUT_SECONDS = 120.0


def say(text: str = "") -> None:
    print(text, flush=True)


def stand_in(text: str) -> None:
    say(f"  [stand-in] {text}")


def main() -> int:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        os.environ[key] = value
    # moto warns about resources it skips (security-group egress, bucket and topic
    # policies: access policies it would not enforce) and logs every state it runs.
    warnings.filterwarnings("ignore")
    for noisy in ("moto", "botocore", "aws_lambda_powertools", "cutover-shifter"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    os.environ["POWERTOOLS_LOG_LEVEL"] = "CRITICAL"
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"

    from moto import mock_aws

    from cutover.local import runtime
    from cutover.local.runtime import LocalCutover
    from cutover.local.test_route_stand_in import TestRouteStandIn
    from stacks.test_route import LOCAL_TEST_TOKEN

    if not (ASSEMBLY / f"{STACK}.template.json").exists():
        say(f"no synthesized stack in {ASSEMBLY}: run `make synth-local`")
        return 1
    runtime.install(time_scale=TIME_SCALE)
    say("Cutover demo: blue/green deployments on local AWS")
    stand_in("AWS is moto, in this process; nothing leaves this machine")
    stand_in(f"time runs {int(1 / TIME_SCALE)}x faster: a 5-minute bake takes 0.3 s")
    route = TestRouteStandIn(token=LOCAL_TEST_TOKEN)
    stand_in(f"the ALB's protected test route is an HTTP server at {route.url}")
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}):
        local = LocalCutover(ASSEMBLY, STACK, REGION)
        started = time.perf_counter()
        local.create()
        local.point_smoke_tests_at(route.url)
        say(
            f"\nStack {STACK} created from cdk.out.local in {time.perf_counter() - started:.1f} s: "
            f"blue live ({local.service('blue')['image']}), green idle"
        )
        outcomes = [
            scenario_canary(local),
            scenario_alarm_rollback(local),
            scenario_smoke_test_failure(local, route),
        ]
    route.close()
    say("\nSummary")
    for title, ok in outcomes:
        say(f"  {'ok  ' if ok else 'FAIL'}  {title}")
    return 0 if all(ok for _title, ok in outcomes) else 1


def watch(local: object, arn: str, on_bake: Callable[[], None] | None = None) -> object:
    """Print each change of weights and phase until the execution ends (bounded)."""
    from cutover.local.runtime import LocalCutover

    assert isinstance(local, LocalCutover)
    last: tuple[object, ...] = ()
    triggered = False
    deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        execution = local.describe(arn)
        lock = local.lock() or {}
        weights = local.weights()
        current = (weights["blue"], weights["green"], lock.get("phase"))
        if current != last:
            phase = lock.get("phase") or ("done" if execution.status != "RUNNING" else "starting")
            bar = "#" * (weights["green"] // 5)
            say(f"    blue {weights['blue']:>3} % | green {weights['green']:>3} % |{bar:<20}| {phase}")
            last = current
        if on_bake is not None and not triggered and lock.get("task_key") == "step:0":
            triggered = True
            on_bake()
        if execution.status != "RUNNING":
            return execution
        time.sleep(0.005)
    raise TimeoutError(f"{arn} did not finish within {STEP_TIMEOUT_SECONDS} s")


def report(local: object, execution: object, expect: str) -> bool:
    from cutover.local.runtime import Execution, LocalCutover

    assert isinstance(local, LocalCutover) and isinstance(execution, Execution)
    say(f"  -> {execution.status}" + (f" {execution.error}: {execution.cause}" if execution.error else ""))
    for side in ("blue", "green"):
        service = local.service(side)
        say(f"     {side:<5} {local.weights()[side]:>3} %  {service['desired']} task(s)  {service['image']}")
    return execution.status == expect


def scenario_canary(local: object) -> tuple[str, bool]:
    from cutover.local.runtime import LocalCutover

    assert isinstance(local, LocalCutover)
    title = "deploy v2, canary 10 % then 100 % -> SUCCEEDED, green live"
    say(f"\n1. {title}")
    arn = local.start({"image": f"{REGISTRY}:v2", "strategy": "canary", "reason": "demo: ship v2"}, "demo-v2")
    execution = watch(local, arn)
    return title, report(local, execution, "SUCCEEDED") and local.weights()["green"] == 100


def scenario_alarm_rollback(local: object) -> tuple[str, bool]:
    from cutover.local.runtime import LocalCutover

    assert isinstance(local, LocalCutover)
    title = "deploy v3; its 5xx alarm fires during the first bake -> rolled back, 100 % on v2"
    say(f"\n2. {title}")
    alarm = "cutover-demo-blue-5xx"  # blue is the idle side now, so v3 goes there

    def fire() -> None:
        stand_in(f"CloudWatch: {alarm} -> ALARM (moto does not evaluate metrics; the demo sets it)")
        local.set_alarm(alarm, "ALARM", "12 target 5xx in 1 minute")
        stand_in("EventBridge: delivering the alarm state change event to the alarm listener")
        local.deliver_alarm_event(alarm, "12 target 5xx in 1 minute")

    arn = local.start({"image": f"{REGISTRY}:v3", "strategy": "canary", "bake_seconds": 3600}, "demo-v3")
    execution = watch(local, arn, on_bake=fire)
    local.set_alarm(alarm, "OK", "recovered")
    return title, report(local, execution, "FAILED") and local.weights()["green"] == 100


def scenario_smoke_test_failure(local: object, route: object) -> tuple[str, bool]:
    from cutover.local.runtime import LocalCutover
    from cutover.local.test_route_stand_in import SideBehaviour, TestRouteStandIn

    assert isinstance(local, LocalCutover) and isinstance(route, TestRouteStandIn)
    title = "deploy v4, which answers 500 -> smoke tests fail, no traffic moved"
    say(f"\n3. {title}")
    route.sides["blue"] = SideBehaviour(status=500, body={"error": "v4 is broken"})
    stand_in("the idle side (blue, v4) now answers 500 on the test route")
    arn = local.start({"image": f"{REGISTRY}:v4"}, "demo-v4")
    execution = watch(local, arn)
    return title, report(local, execution, "FAILED") and local.weights()["green"] == 100


if __name__ == "__main__":
    sys.exit(main())
