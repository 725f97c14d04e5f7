"""`make sandbox`: the local stage kept running in the foreground, for a person to try `cutover` on.

It starts a `LocalStage` (local AWS, the stack, the example service's processes, the router),
writes where it is (sandbox_state), prints the environment to export and commands to try, then
waits. Ctrl-C, SIGTERM, SIGHUP or `cutover-local stop` end it: the stage stops every process and
thread it started before the sandbox exits. A signal during start-up aborts the start (the stage
stops what it had started); once stopping, further signals are ignored so the stop completes.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from rich.console import Console

from cutover.local import sandbox_state
from cutover.local.sandbox_state import SandboxState
from cutover.local.stage import REGION, LocalStage, quiet
from cutover.shifter.contract import SIDES, Output, SideOutput, side_output

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop"  # an ECR repository the local stack may pull
READY = "Sandbox ready"


def guide(state: SandboxState, stage: LocalStage) -> str:
    """The environment to export and the commands to try."""
    environment = sandbox_state.environment(state)
    exports = "\n".join(f"  export {key}={shlex.quote(value)}" for key, value in environment.items())
    token = stage.test_token()
    token_header = f" -H 'X-Cutover-Test-Token: {token}'" if token else ""
    alarms = [
        name for side in SIDES for name in stage.outputs.get(side_output(side, SideOutput.ALARM_NAMES), "").split(",")
    ]
    pace = "AWS's own pace" if state.time_scale == 1 else f"{1 / state.time_scale:g}x faster than AWS"
    router = state.router_url
    service = stage.outputs.get(Output.SERVICE_NAME, "demo")
    return f"""
Cutover sandbox: stack {state.stack} on local AWS at {state.endpoint_url} ({pace})

In another terminal, set the environment (or: source {sandbox_state.env_file()}):
  unset AWS_PROFILE CUTOVER_PROFILE
{exports}

Then try:
  cutover status
  # any v<N> tag deploys, and the service then reports that version:
  cutover deploy {REGISTRY}:v2 --bake 1m --watch
  # production traffic, by the listener's weights:
  curl -s {router}/health
  # the test route reaches green whatever the weights; without the token it is production traffic:
  curl -s -H 'X-Canary-Version: green'{token_header} {router}/health
  curl -s -H 'X-Canary-Version: green' {router}/health
  # a rollback: deploy, and while it bakes set the new side's alarm (from a third terminal):
  cutover deploy {REGISTRY}:v3 --bake 10m --watch
  cutover-local alarm cutover-{service}-<new side>-5xx
  cutover-local alarm --all --state OK
  cutover history
  # the end (or Ctrl-C here):
  cutover-local stop

Alarms: {", ".join(filter(None, alarms))}
"""


def env_script(state: SandboxState) -> str:
    lines = ["unset AWS_PROFILE CUTOVER_PROFILE"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in sandbox_state.environment(state).items()]
    return "\n".join(lines) + "\n"


class _Signals:
    """SIGINT/SIGTERM/SIGHUP: abort a start-up, or ask a running sandbox to stop; then ignored."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.ready = False

    def install(self) -> None:
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, self.handle)

    def handle(self, number: int, frame: FrameType | None) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        if not self.ready:
            raise KeyboardInterrupt  # LocalStage.start() stops what it started


def run(assembly: Path, stack: str, time_scale: float, console: Console) -> int:
    existing = sandbox_state.running()
    if existing is not None:
        console.print(f"A sandbox already runs (pid {existing.pid}): `cutover-local stop` ends it")
        return 1
    if not (assembly / f"{stack}.template.json").exists():
        console.print(f"no synthesized stack in {assembly}: run `make synth-local`")
        return 1
    quiet()
    signals = _Signals()
    signals.install()

    def stand_in(text: str) -> None:
        console.print(f"  [dim]\\[stand-in][/dim] {text}")

    stage = LocalStage(assembly, stack, REGION, time_scale=time_scale, say=console.print, stand_in=stand_in)
    try:
        with stage:
            state = SandboxState(
                pid=os.getpid(),
                endpoint_url=stage.endpoint,
                stack=stack,
                region=REGION,
                router_url=stage.router_url,
                time_scale=time_scale,
                assembly=str(assembly),
            )
            sandbox_state.write(state, env_script(state))
            print(guide(state, stage))
            # Ready before saying so: a Ctrl-C the moment the line is read stops a started sandbox
            # (a clean-clone run, 2026-12-06, met one between the line and the flag: "Start-up interrupted").
            signals.ready = True
            print(f"{READY}: Ctrl-C or `cutover-local stop` ends it (pid {state.pid}).", flush=True)
            while not signals.stopping.wait(1.0):
                pass
            console.print("Stopping the sandbox: the service's processes, the router, local AWS")
    except KeyboardInterrupt:
        console.print("Start-up interrupted: stopped what had started")
        return 130
    finally:
        sandbox_state.remove(os.getpid())
    console.print("Sandbox stopped")
    sys.stdout.flush()
    return 0
