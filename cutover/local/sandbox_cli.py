"""`cutover-local`: the local-AWS controls of the sandbox (not part of the `cutover` CLI for AWS).

- `cutover-local sandbox`: start the sandbox and run it in the foreground (sandbox.py);
- `cutover-local alarm NAME|--all [--state ALARM|OK]`: put alarms into a state, as CloudWatch would;
- `cutover-local stop`: end the running sandbox and wait until it, and all it started, is gone.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cutover.local import sandbox_state
from cutover.local.sandbox_state import SandboxState
from cutover.local.stage import LOCAL_CREDENTIALS, ROOT
from cutover.shifter.contract import SIDES, SideOutput, side_output

DEFAULT_ASSEMBLY = ROOT / "cdk.out.local"
DEFAULT_STACK = "cutover-demo"
STOP_TIMEOUT_SECONDS = 60.0  # the service's processes drain for a few seconds each

app = typer.Typer(
    name="cutover-local",
    help="Cutover's sandbox on local AWS (moto): start it, set alarms, stop it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)


class AlarmState(StrEnum):
    ALARM = "ALARM"
    OK = "OK"


@app.command()
def sandbox(
    time_scale: Annotated[
        float,
        typer.Option(
            "--time-scale",
            min=0.001,
            max=1.0,
            help="Real seconds per AWS second: 1 runs at AWS's pace; 0.01 makes a 5-minute bake take 3 s.",
        ),
    ] = 1.0,
    assembly: Annotated[
        Path, typer.Option("--assembly", help="The synthesized local stack (make synth-local).")
    ] = DEFAULT_ASSEMBLY,
    stack: Annotated[str, typer.Option("--stack", help="The stack in the assembly.")] = DEFAULT_STACK,
) -> None:
    """Start local AWS with the stack, the service and the router; run until Ctrl-C or `cutover-local stop`."""
    from cutover.local.sandbox import run

    raise typer.Exit(run(assembly, stack, time_scale, console))


def _running() -> SandboxState:
    state = sandbox_state.running()
    if state is None:
        console.print("No sandbox runs: start one with `make sandbox` (or `cutover-local sandbox`)")
        raise typer.Exit(1)
    return state


@app.command()
def alarm(
    name: Annotated[str | None, typer.Argument(help="The alarm, e.g. cutover-demo-green-5xx.")] = None,
    all_alarms: Annotated[bool, typer.Option("--all", help="Every alarm of both sides.")] = False,
    state: Annotated[AlarmState, typer.Option("--state", help="The state to put it in.")] = AlarmState.ALARM,
) -> None:
    """Put an alarm into ALARM (a deployment baking on its side rolls back) or back to OK."""
    if (name is None) == (not all_alarms):
        console.print("name one alarm or pass --all")
        raise typer.Exit(2)
    sandbox = _running()
    from cutover.cli.target import Target
    from cutover.local.runtime import LocalCutover

    # This process talks to the sandbox's local AWS; the alarm event's Lambda runs in the sandbox.
    os.environ.update(LOCAL_CREDENTIALS, AWS_DEFAULT_REGION=sandbox.region, AWS_ENDPOINT_URL=sandbox.endpoint_url)
    local = LocalCutover(Path(sandbox.assembly), sandbox.stack, sandbox.region)
    local.outputs = Target(sandbox.stack, sandbox.region, sandbox.endpoint_url).outputs
    local.account = local.client("sts").get_caller_identity()["Account"]
    known = [
        n for side in SIDES for n in local.outputs.get(side_output(side, SideOutput.ALARM_NAMES), "").split(",") if n
    ]
    names = known if all_alarms else [name or ""]
    unknown = [n for n in names if n not in known]
    if unknown:
        console.print(f"no alarm {', '.join(unknown)}; the stack's alarms: {', '.join(known)}")
        raise typer.Exit(2)
    # SetAlarmState is CloudWatch's own way to set a state for testing; on AWS a metric alarm goes
    # back to its actual state at its next evaluation, moto evaluates none, so it stays (docs/aws-fidelity.md):
    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
    for alarm_name in names:
        local.set_alarm(alarm_name, state.value, "set by cutover-local")
        if state is AlarmState.ALARM:  # EventBridge's rule matches the ALARM state change only
            local.deliver_alarm_event(alarm_name)
        console.print(f"{alarm_name} -> {state.value}")


@app.command()
def stop(
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for it to end.")] = STOP_TIMEOUT_SECONDS,
) -> None:
    """End the running sandbox and wait until it is gone (its processes with it)."""
    state = _running()
    console.print(f"Stopping the sandbox (pid {state.pid})")
    if not sandbox_state.stop(state, timeout):
        console.print(f"the sandbox (pid {state.pid}) is still running after {timeout:.0f} s")
        raise typer.Exit(1)
    console.print("Sandbox stopped")


def main() -> None:
    app(prog_name="cutover-local")


if __name__ == "__main__":
    main()
