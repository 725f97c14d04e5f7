"""`cutover`: deploy, watch and steer blue/green rollouts of a Cutover stack.

Against AWS it uses your default credentials and reads every name it needs from the
stack's outputs; against local AWS pass --endpoint-url (the demo does).
"""

import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from rich.console import Console
from rich.markup import escape

from cutover.cli import inputs, json_output, render
from cutover.cli.connection import Connection, connected
from cutover.cli.errors import (
    EXIT_CODE_MEANINGS,
    NO_CREDENTIALS_MESSAGE,
    AwsError,
    CliError,
    ExitCode,
    NoCredentials,
    NothingToWatch,
    is_credentials_error,
)
from cutover.cli.fleet import fleet, region_of
from cutover.cli.output import OutputFormat, OutputOption, json_requested
from cutover.cli.target import Target
from cutover.cli.views import history as read_history
from cutover.cli.views import lock, service_view
from cutover.cli.watching import follow
from cutover.shifter.contract import Env, Output
from cutover.shifter.logic.inputs import DeployInput
from cutover.shifter.logic.plan import Defaults
from cutover.shifter.logic.quotas import ConfiguredHooks

if TYPE_CHECKING:
    from cutover.config import ServiceConfig

EXIT_CODES_HELP = "Exit codes: " + "; ".join(f"{int(code)} {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items())
app = typer.Typer(
    name="cutover",
    help="Deploy, watch and steer blue/green rollouts of ECS services (a Cutover stack).",
    epilog=EXIT_CODES_HELP + ". Details, and the JSON schema of --output json: docs/cli.md.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)  # an error is one line, however long
T = TypeVar("T")

WatchTimeout = Annotated[str, typer.Option("--timeout", help="Stop following after this long (90s, 5m, 1h).")]
Interval = Annotated[float, typer.Option("--interval", help="Seconds between refreshes.")]
HUMAN = OutputFormat.human
# Recent typer vendors click (typer._click); its BadParameter derives from the ClickException
# typer actually raises, so find that class through it rather than importing click.
CLICK_EXCEPTION: type[Exception] = next(
    k for k in typer.BadParameter.__mro__ if k.__name__ == "ClickException" and issubclass(k, Exception)
)


def _version(shown: bool) -> None:
    if shown:
        try:
            version = metadata.version("cutover")
        except metadata.PackageNotFoundError:  # run from a checkout that was never installed
            version = "unknown (not installed)"
        typer.echo(f"cutover {version}")
        raise typer.Exit()


@app.callback()
def cutover(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Deploy, watch and steer blue/green rollouts of ECS services (a Cutover stack)."""


def fail(error: CliError, output: OutputFormat) -> NoReturn:
    """JSON mode: the error is one JSON object on stdout. Human mode: one line on stderr."""
    if output is OutputFormat.json:
        json_output.emit(json_output.error(error))
    else:
        errors.print(f"[red]cutover:[/red] {escape(str(error))}")
    raise typer.Exit(int(error.exit_code))


def guarded(action: Callable[[], T], output: OutputFormat = HUMAN) -> T:
    """Every failure is one plain line (or one JSON object) and an exit code, never a traceback."""
    try:
        return action()
    except CliError as error:
        fail(error, output)
    except NoCredentialsError:
        fail(NoCredentials(NO_CREDENTIALS_MESSAGE), output)
    except ClientError as error:
        if is_credentials_error(error.response["Error"].get("Code", "")):
            fail(NoCredentials(f"AWS rejected the credentials: {error}"), output)
        fail(AwsError(f"AWS said: {error}"), output)
    except BotoCoreError as error:
        fail(AwsError(f"AWS said: {error}"), output)


def _execution_name(action: str) -> str:
    return f"{action}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(2)}"


def start_execution(target: Target, document: dict[str, Any], action: str, *, out: Console = console) -> str:
    started = target.client("stepfunctions").start_execution(
        stateMachineArn=target.state_machine_arn, name=_execution_name(action), input=json.dumps(document)
    )
    arn: str = started["executionArn"]
    out.print(f"Started [bold]{arn.rsplit(':', 1)[-1]}[/bold]")
    return arn


def run_and_follow(
    target: Target,
    document: dict[str, Any],
    action: str,
    *,
    watch: bool,
    timeout: str,
    interval: float,
    output: OutputFormat = HUMAN,
) -> int:
    """Start an execution; follow it when asked. Exit code 0 when it SUCCEEDED."""
    progress = errors if output is OutputFormat.json else console  # stdout holds only the JSON document
    arn = start_execution(target, document, action, out=progress)
    if not watch:
        if output is OutputFormat.json:
            json_output.emit(json_output.started(target.stack, arn, document))
        else:
            console.print(f"Follow it with: cutover watch {arn}")
        return ExitCode.OK
    return _follow_to_the_end(target, arn, output, interval=interval, timeout=timeout)


def _follow_to_the_end(target: Target, arn: str, output: OutputFormat, *, interval: float, timeout: str) -> int:
    progress = errors if output is OutputFormat.json else console
    final = follow(target, arn, progress, interval=interval, timeout=inputs.seconds("--timeout", timeout) or 0)
    code = ExitCode.OK if final.status == "SUCCEEDED" else ExitCode.DEPLOYMENT_FAILED
    if output is OutputFormat.json:
        json_output.emit(json_output.execution(target.stack, final, int(code)))
    return int(code)


# ------------------------------------------------------------------ plan
def _offline_config() -> "ServiceConfig":
    """The first service as this project's cdk.json declares it (no AWS needed)."""
    from cutover.config import load_config

    context: dict[str, Any] = {}
    cdk_json = Path("cdk.json")
    if cdk_json.exists():
        context = json.loads(cdk_json.read_text()).get("context", {})
    return load_config(context).services[0]


def _offline_repositories(service: "ServiceConfig") -> list[str]:
    from cutover.image_repositories import offline_repository_patterns

    return offline_repository_patterns(service)


def _stack_variables(target: Target) -> dict[str, str]:
    configuration = target.client("lambda").get_function_configuration(
        FunctionName=target.output(Output.WORKFLOW_FUNCTION_NAME)
    )
    variables: dict[str, str] = configuration["Environment"]["Variables"]
    return variables


@app.command()
@connected
def plan(
    source: Annotated[str, typer.Option("--input", "-i", help="Execution input JSON file, or - for stdin.")],
    output: OutputOption = HUMAN,
    pipeline: Annotated[
        bool, typer.Option("--pipeline", help="Check it as CodePipeline would start it (its 7-day action timeout).")
    ] = False,
    *,
    connection: Connection,
) -> None:
    """Validate an execution input and print its plan: offline with cdk.json's defaults, or a named stack's."""

    def run() -> None:
        request = inputs.validate(inputs.read_input(source))
        if not isinstance(request, DeployInput):
            if output is OutputFormat.json:
                json_output.emit(json_output.other_input(request))
                return
            console.print(f"Valid [bold]{request.action}[/bold] input: {request.model_dump(exclude_none=True)}")
            return
        stack = connection.stack
        if stack:
            variables = _stack_variables(connection.target())
            defaults = Defaults.model_validate_json(variables[Env.DEFAULTS])
            repositories: list[str] = json.loads(variables.get(Env.ECR_REPOSITORIES, "[]"))
            hooks = ConfiguredHooks(
                int(variables.get(Env.ON_STEP_HOOKS, "0")), int(variables.get(Env.ON_ROLLBACK_HOOKS, "0"))
            )
        else:
            service = _offline_config()
            # With the judge: its extra waits count in the plan's bounds.
            defaults, repositories = service.shifter_defaults(), _offline_repositories(service)
            hooks = ConfiguredHooks(len(service.hooks.on_step), len(service.hooks.on_rollback))
        # the input's own errors first
        result, cost = inputs.plan_for(request, defaults, pipeline=pipeline, hooks=hooks)
        inputs.check_image_pullable(request, repositories)
        if output is OutputFormat.json:
            json_output.emit(json_output.plan(request, result, f"stack {stack}" if stack else "cdk.json", cost))
            return
        watched = "the new side's 5xx, p99 latency and unhealthy-host alarms, plus any global alarms"
        console.print(render.plan(request.model_dump(), result, watched, cost))

    guarded(run, output)


# ------------------------------------------------------------------ deploy
@app.command()
@connected
def deploy(
    image: Annotated[str, typer.Argument(help="Image to deploy: repository:tag or repository@sha256:…")],
    strategy: Annotated[str | None, typer.Option(help="canary, linear or all-at-once (default: the stack's).")] = None,
    steps: Annotated[str | None, typer.Option(help="Explicit weights, e.g. 10,50:pause,100.")] = None,
    bake: Annotated[str | None, typer.Option(help="Bake per step: 90s, 5m, 1h.")] = None,
    canary_weight: Annotated[int | None, typer.Option(help="Canary weight (canary only).")] = None,
    linear_step: Annotated[int | None, typer.Option(help="Increment (linear only).")] = None,
    termination_wait: Annotated[str | None, typer.Option(help="Keep the old side warm this long after 100 %.")] = None,
    reason: Annotated[str | None, typer.Option(help="Shown in history and notifications.")] = None,
    skip_hooks: Annotated[
        str | None,
        typer.Option(
            help="Configured hook stages this deployment skips, e.g. on_step,on_rollback "
            "(before_traffic, after_traffic, on_step, on_rollback)."
        ),
    ] = None,
    judge: Annotated[
        str | None,
        typer.Option(
            help="The canary judge for this deployment: off, dry-run (record verdicts, act on none) or on "
            "(default: the stack's analysis.mode; docs/analysis.md)."
        ),
    ] = None,
    watch: Annotated[bool, typer.Option("--watch/--no-watch", help="Follow the deployment until it ends.")] = True,
    timeout: WatchTimeout = "24h",
    interval: Interval = 2.0,
    output: OutputOption = HUMAN,
    *,
    connection: Connection,
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
            skip_hooks=skip_hooks,
            judge=judge,
        )
        inputs.validate(document)  # fail before anything starts
        inputs.seconds("--timeout", timeout)
        target = connection.target()
        return run_and_follow(
            target, document, "deploy", watch=watch, timeout=timeout, interval=interval, output=output
        )

    raise typer.Exit(guarded(run, output))


# ------------------------------------------------------------------ status, watch, history
@app.command()
@connected
def status(
    all_stacks: Annotated[
        bool, typer.Option("--all", help="Every Cutover stack in the account and region, one row each.")
    ] = False,
    output: OutputOption = HUMAN,
    *,
    connection: Connection,
) -> None:
    """Live side, weights, each side's image, tasks and healthy targets, alarms, running deployment."""

    def run() -> None:
        target = connection.target()
        if all_stacks:  # --stack is ignored: every Cutover stack is shown
            rows, region = fleet(target), region_of(target)
            if output is OutputFormat.json:
                json_output.emit(json_output.status_all(region, rows))
            else:
                console.print(render.stacks(region, rows))
            return
        view = service_view(target)
        if output is OutputFormat.json:
            json_output.emit(json_output.status(target.stack, view))
        else:
            console.print(render.service(view))

    guarded(run, output)


@app.command()
@connected
def preflight(*, connection: Connection) -> None:
    """Before `cdk deploy`: exit 0 if no deployment holds the lock, else 8 naming it.

    A change set resolves the live state's dynamic references when it is created, so a stack
    update during a deployment can send weights and counts that the shifter has since changed
    (docs/live-state.md, "cdk deploy during a deployment"). Use `cutover preflight && cdk deploy`.
    """

    def run() -> int:
        held = lock(connection.target())
        if held is None:
            console.print("No deployment running: a stack update sends the live state as it is.")
            return ExitCode.OK
        errors.print(
            f"[red]cutover:[/red] deployment {escape(held.owner)} holds the lock: "
            "do not update the stack until it ends (cutover watch)"
        )
        return ExitCode.DEPLOYMENT_IN_PROGRESS

    raise typer.Exit(guarded(run))


@app.command()
@connected
def watch(
    execution: Annotated[str | None, typer.Argument(help="Execution ARN (default: the running deployment).")] = None,
    timeout: WatchTimeout = "24h",
    interval: Interval = 2.0,
    output: OutputOption = HUMAN,
    *,
    connection: Connection,
) -> None:
    """Follow a rollout live; exit 0 when it succeeded, 1 when it rolled back or failed."""

    def run() -> int:
        inputs.seconds("--timeout", timeout)
        target = connection.target()
        arn = execution or _current_execution(target)
        return _follow_to_the_end(target, arn, output, interval=interval, timeout=timeout)

    raise typer.Exit(guarded(run, output))


def _current_execution(target: Target) -> str:
    held = lock(target)
    if held is not None:
        return held.owner
    listed = target.client("stepfunctions").list_executions(stateMachineArn=target.state_machine_arn, maxResults=1)
    if not listed["executions"]:
        raise NothingToWatch("no deployment running and none before: nothing to watch")
    return str(listed["executions"][0]["executionArn"])


@app.command()
@connected
def history(
    limit: Annotated[int, typer.Option(help="How many records.")] = 20,
    output: OutputOption = HUMAN,
    *,
    connection: Connection,
) -> None:
    """Deployments and manual actions, newest first, with outcome and trigger."""

    def run() -> None:
        target = connection.target()
        records = read_history(target, limit)
        if output is OutputFormat.json:
            json_output.emit(json_output.history(target.stack, target.output(Output.SERVICE_NAME), records))
        else:
            console.print(render.history(records))

    guarded(run, output)


# ------------------------------------------------------------------ manual actions
def _manual(
    document: dict[str, Any], connection: Connection, timeout: str, interval: float, output: OutputFormat
) -> None:
    def run() -> int:
        inputs.validate(document)
        inputs.seconds("--timeout", timeout)
        return run_and_follow(
            connection.target(),
            document,
            str(document["action"]),
            watch=True,
            timeout=timeout,
            interval=interval,
            output=output,
        )

    raise typer.Exit(guarded(run, output))


def _with_reason(action: str, reason: str | None) -> dict[str, Any]:
    return {"action": action, **({"reason": reason} if reason else {})}


@app.command()
@connected
def switch(
    side: Annotated[str, typer.Argument(help="blue or green")],
    force: Annotated[
        bool, typer.Option(help="Skip smoke tests and the all-healthy threshold (never a side with no healthy target).")
    ] = False,
    reason: Annotated[str | None, typer.Option()] = None,
    timeout: WatchTimeout = "1h",
    interval: Interval = 2.0,
    output: OutputOption = HUMAN,
    *,
    connection: Connection,
) -> None:
    """Put 100 % of production traffic on SIDE now, after checking its health."""
    document: dict[str, Any] = {"action": "switch", "to": side, "force": force}
    if reason:
        document["reason"] = reason
    _manual(document, connection, timeout, interval, output)


@app.command()
@connected
def rollback(
    reason: Annotated[str | None, typer.Option()] = None,
    timeout: WatchTimeout = "1h",
    interval: Interval = 2.0,
    output: OutputOption = HUMAN,
    *,
    connection: Connection,
) -> None:
    """Abort the running deployment, or go back to the side live before the last success."""
    _manual(_with_reason("rollback", reason), connection, timeout, interval, output)


@app.command()
@connected
def promote(
    reason: Annotated[str | None, typer.Option()] = None, output: OutputOption = HUMAN, *, connection: Connection
) -> None:
    """The running deployment skips its remaining bakes and pauses and goes to 100 %."""
    _manual(_with_reason("promote", reason), connection, "10m", 1.0, output)


@app.command()
@connected
def abort(
    reason: Annotated[str | None, typer.Option()] = None, output: OutputOption = HUMAN, *, connection: Connection
) -> None:
    """The running deployment rolls back now."""
    _manual(_with_reason("abort", reason), connection, "10m", 1.0, output)


@app.command()
@connected
def repair(
    reason: Annotated[str | None, typer.Option()] = None,
    timeout: WatchTimeout = "30m",
    interval: Interval = 2.0,
    output: OutputOption = HUMAN,
    *,
    connection: Connection,
) -> None:
    """After RollbackIncomplete: 100 % on a healthy side, and clear the quarantined lock."""
    _manual(_with_reason("repair", reason), connection, timeout, interval, output)


def main() -> None:
    if json_requested(sys.argv[1:], dict(os.environ)):
        sys.exit(_main_json())
    app(prog_name="cutover")


def _main_json() -> int:
    """With --output json even a usage error (click's, before any command runs) is one JSON
    object on stdout, with click's exit code (2)."""
    try:
        code = app(prog_name="cutover", standalone_mode=False)
    except CLICK_EXCEPTION as error:
        json_output.emit(json_output.usage_error(error.format_message()))  # type: ignore[attr-defined]
        return int(error.exit_code)  # type: ignore[attr-defined]
    return code if isinstance(code, int) else ExitCode.OK


if __name__ == "__main__":
    main()
