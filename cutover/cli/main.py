"""`cutover`: deploy, watch and steer blue/green rollouts of a Cutover stack.

Against AWS it uses your default credentials and reads every name it needs from the
stack's outputs; against local AWS pass --endpoint-url (the demo does).
"""

import json
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from rich.console import Console
from rich.markup import escape

from cutover.cli import inputs, render
from cutover.cli.errors import CliError
from cutover.cli.target import DEFAULT_STACK, Target
from cutover.cli.views import history as read_history
from cutover.cli.views import lock, service_view
from cutover.cli.watching import follow
from shifter.logic.durations import parse_duration
from shifter.logic.inputs import DeployInput
from shifter.logic.plan import Defaults

app = typer.Typer(
    name="cutover",
    help="Deploy, watch and steer blue/green rollouts of ECS services (a Cutover stack).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)  # an error is one line, however long
T = TypeVar("T")

StackOption = Annotated[
    str, typer.Option("--stack", help="The Cutover stack (cutover-<service>).", envvar="CUTOVER_STACK")
]
RegionOption = Annotated[str | None, typer.Option("--region", help="AWS region (default: your AWS config).")]
EndpointOption = Annotated[
    str | None,
    typer.Option("--endpoint-url", help="AWS endpoint, e.g. local AWS (moto).", envvar="CUTOVER_ENDPOINT_URL"),
]
ProfileOption = Annotated[str | None, typer.Option("--profile", help="AWS profile.")]
WatchTimeout = Annotated[str, typer.Option("--timeout", help="Stop following after this long (90s, 5m, 1h).")]
Interval = Annotated[float, typer.Option("--interval", help="Seconds between refreshes.")]


def guarded(action: Callable[[], T]) -> T:
    """Every failure is one plain line and an exit code, never a traceback."""
    try:
        return action()
    except CliError as error:
        errors.print(f"[red]cutover:[/red] {escape(str(error))}")
        raise typer.Exit(error.exit_code) from None
    except NoCredentialsError:
        errors.print(
            "[red]cutover:[/red] no AWS credentials: configure them (aws configure, AWS_PROFILE) "
            "or use --endpoint-url for local AWS"
        )
        raise typer.Exit(1) from None
    except (ClientError, BotoCoreError) as error:
        errors.print(f"[red]cutover:[/red] AWS said: {escape(str(error))}")
        raise typer.Exit(1) from None


def _target(stack: str, region: str | None, endpoint_url: str | None, profile: str | None) -> Target:
    return Target(stack=stack, region=region, endpoint_url=endpoint_url, profile=profile)


def _execution_name(action: str) -> str:
    return f"{action}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(2)}"


def start_execution(target: Target, document: dict[str, Any], action: str) -> str:
    started = target.client("stepfunctions").start_execution(
        stateMachineArn=target.state_machine_arn, name=_execution_name(action), input=json.dumps(document)
    )
    arn: str = started["executionArn"]
    console.print(f"Started [bold]{arn.rsplit(':', 1)[-1]}[/bold]")
    return arn


def run_and_follow(
    target: Target, document: dict[str, Any], action: str, *, watch: bool, timeout: str, interval: float
) -> int:
    """Start an execution; follow it when asked. Exit code 0 when it SUCCEEDED."""
    arn = start_execution(target, document, action)
    if not watch:
        console.print(f"Follow it with: cutover watch {arn}")
        return 0
    final = follow(target, arn, console, interval=interval, timeout=parse_duration(timeout))
    return 0 if final.status == "SUCCEEDED" else 1


# ------------------------------------------------------------------ plan
def _offline_defaults() -> Defaults:
    """The stack defaults as this project's cdk.json declares them (no AWS needed)."""
    from stacks.config import load_config

    context: dict[str, Any] = {}
    cdk_json = Path("cdk.json")
    if cdk_json.exists():
        context = json.loads(cdk_json.read_text()).get("context", {})
    service = load_config(context).services[0]
    return Defaults(**service.strategy_defaults.model_dump(), health_check_path=service.health_check_path)


def _stack_defaults(target: Target) -> Defaults:
    configuration = target.client("lambda").get_function_configuration(
        FunctionName=target.output("WorkflowFunctionName")
    )
    return Defaults.model_validate_json(configuration["Environment"]["Variables"]["CUTOVER_DEFAULTS"])


@app.command()
def plan(
    source: Annotated[str, typer.Option("--input", "-i", help="Execution input JSON file, or - for stdin.")],
    stack: Annotated[
        str | None, typer.Option("--stack", help="Use this deployed stack's defaults instead of cdk.json.")
    ] = None,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    pipeline: Annotated[
        bool, typer.Option("--pipeline", help="Check it as CodePipeline would start it (its 7-day action timeout).")
    ] = False,
) -> None:
    """Validate an execution input and print the plan it makes. Works offline."""

    def run() -> None:
        request = inputs.validate(inputs.read_input(source))
        if not isinstance(request, DeployInput):
            console.print(f"Valid [bold]{request.action}[/bold] input: {request.model_dump(exclude_none=True)}")
            return
        defaults = _stack_defaults(_target(stack, region, endpoint_url, None)) if stack else _offline_defaults()
        result, cost = inputs.plan_for(request, defaults, pipeline=pipeline)
        watched = "the new side's 5xx, p99 latency and unhealthy-host alarms, plus any global alarms"
        console.print(render.plan(request.model_dump(), result, watched, cost))

    guarded(run)


# ------------------------------------------------------------------ deploy
@app.command()
def deploy(
    image: Annotated[str, typer.Argument(help="Image to deploy: repository:tag or repository@sha256:…")],
    strategy: Annotated[str | None, typer.Option(help="canary, linear or all-at-once (default: the stack's).")] = None,
    steps: Annotated[str | None, typer.Option(help="Explicit weights, e.g. 10,50:pause,100.")] = None,
    bake: Annotated[str | None, typer.Option(help="Bake per step: 90s, 5m, 1h.")] = None,
    canary_weight: Annotated[int | None, typer.Option(help="Canary weight (canary only).")] = None,
    linear_step: Annotated[int | None, typer.Option(help="Increment (linear only).")] = None,
    termination_wait: Annotated[str | None, typer.Option(help="Keep the old side warm this long after 100 %.")] = None,
    reason: Annotated[str | None, typer.Option(help="Shown in history and notifications.")] = None,
    watch: Annotated[bool, typer.Option("--watch/--no-watch", help="Follow the deployment until it ends.")] = True,
    timeout: WatchTimeout = "24h",
    interval: Interval = 2.0,
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Deploy IMAGE: the shifter prepares the idle side, tests it and shifts traffic step by step."""

    def run() -> int:
        document = inputs.deploy_input(
            image,
            strategy=strategy,
            steps=steps,
            bake=bake,
            canary_weight=canary_weight,
            linear_step=linear_step,
            termination_wait=termination_wait,
            reason=reason,
        )
        inputs.validate(document)  # fail before anything starts
        target = _target(stack, region, endpoint_url, profile)
        return run_and_follow(target, document, "deploy", watch=watch, timeout=timeout, interval=interval)

    raise typer.Exit(guarded(run))


# ------------------------------------------------------------------ status, watch, history
@app.command()
def status(
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Live side, weights, each side's image, tasks and healthy targets, alarms, running deployment."""
    guarded(lambda: console.print(render.service(service_view(_target(stack, region, endpoint_url, profile)))))


@app.command()
def watch(
    execution: Annotated[str | None, typer.Argument(help="Execution ARN (default: the running deployment).")] = None,
    timeout: WatchTimeout = "24h",
    interval: Interval = 2.0,
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Follow a rollout live; exit 0 when it succeeded, 1 when it rolled back or failed."""

    def run() -> int:
        target = _target(stack, region, endpoint_url, profile)
        arn = execution or _current_execution(target)
        final = follow(target, arn, console, interval=interval, timeout=parse_duration(timeout))
        return 0 if final.status == "SUCCEEDED" else 1

    raise typer.Exit(guarded(run))


def _current_execution(target: Target) -> str:
    held = lock(target)
    if held is not None:
        return str(held["owner"])
    listed = target.client("stepfunctions").list_executions(stateMachineArn=target.state_machine_arn, maxResults=1)
    if not listed["executions"]:
        raise CliError("no deployment running and none before: nothing to watch")
    return str(listed["executions"][0]["executionArn"])


@app.command()
def history(
    limit: Annotated[int, typer.Option(help="How many records.")] = 20,
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Deployments and manual actions, newest first, with outcome and trigger."""
    guarded(lambda: console.print(render.history(read_history(_target(stack, region, endpoint_url, profile), limit))))


# ------------------------------------------------------------------ manual actions
def _manual(
    document: dict[str, Any],
    stack: str,
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    timeout: str,
    interval: float,
) -> None:
    def run() -> int:
        inputs.validate(document)
        target = _target(stack, region, endpoint_url, profile)
        return run_and_follow(target, document, str(document["action"]), watch=True, timeout=timeout, interval=interval)

    raise typer.Exit(guarded(run))


@app.command()
def switch(
    side: Annotated[str, typer.Argument(help="blue or green")],
    force: Annotated[
        bool, typer.Option(help="Skip smoke tests and the all-healthy threshold (never a side with no healthy target).")
    ] = False,
    reason: Annotated[str | None, typer.Option()] = None,
    timeout: WatchTimeout = "1h",
    interval: Interval = 2.0,
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Put 100 % of production traffic on SIDE now, after checking its health."""
    document: dict[str, Any] = {"action": "switch", "to": side, "force": force}
    if reason:
        document["reason"] = reason
    _manual(document, stack, region, endpoint_url, profile, timeout, interval)


@app.command()
def rollback(
    reason: Annotated[str | None, typer.Option()] = None,
    timeout: WatchTimeout = "1h",
    interval: Interval = 2.0,
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Abort the running deployment, or go back to the side live before the last success."""
    _manual(
        {"action": "rollback", **({"reason": reason} if reason else {})},
        stack,
        region,
        endpoint_url,
        profile,
        timeout,
        interval,
    )


@app.command()
def promote(
    reason: Annotated[str | None, typer.Option()] = None,
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """The running deployment skips its remaining bakes and pauses and goes to 100 %."""
    _manual(
        {"action": "promote", **({"reason": reason} if reason else {})},
        stack,
        region,
        endpoint_url,
        profile,
        "10m",
        1.0,
    )


@app.command()
def abort(
    reason: Annotated[str | None, typer.Option()] = None,
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """The running deployment rolls back now."""
    _manual(
        {"action": "abort", **({"reason": reason} if reason else {})}, stack, region, endpoint_url, profile, "10m", 1.0
    )


@app.command()
def repair(
    reason: Annotated[str | None, typer.Option()] = None,
    timeout: WatchTimeout = "30m",
    interval: Interval = 2.0,
    stack: StackOption = DEFAULT_STACK,
    region: RegionOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """After RollbackIncomplete: 100 % on a healthy side, and clear the quarantined lock."""
    _manual(
        {"action": "repair", **({"reason": reason} if reason else {})},
        stack,
        region,
        endpoint_url,
        profile,
        timeout,
        interval,
    )


def main() -> None:
    app(prog_name="cutover")


if __name__ == "__main__":
    main()
