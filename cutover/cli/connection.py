"""The connection options, declared once for every command that talks to AWS.

`@connected` adds `--stack`, `--region`, `--profile` and `--endpoint-url` to a command (after
the command name, as `cutover status --stack cutover-shop`) and hands the command one
`Connection` instead of four parameters. Each option also reads the environment; precedence
is flag > environment > default (docs/cli.md).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer

from cutover.cli.target import DEFAULT_STACK, Target

R = TypeVar("R")
PANEL = "Connection (flag > environment > default)"

STACK_ENV = "CUTOVER_STACK"
REGION_ENV = "CUTOVER_REGION"
PROFILE_ENV = ("CUTOVER_PROFILE", "AWS_PROFILE")
ENDPOINT_ENV = "CUTOVER_ENDPOINT_URL"

StackOption = Annotated[
    str | None,
    typer.Option(
        "--stack",
        envvar=STACK_ENV,
        show_envvar=True,
        help=f"The Cutover stack (cutover-<service>). Default: {DEFAULT_STACK}.",
        rich_help_panel=PANEL,
    ),
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region",
        envvar=REGION_ENV,
        show_envvar=True,
        help="AWS region. Default: your AWS configuration (AWS_REGION, the profile's region).",
        rich_help_panel=PANEL,
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        envvar=list(PROFILE_ENV),
        show_envvar=True,
        help="AWS profile. Default: your default credentials.",
        rich_help_panel=PANEL,
    ),
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        envvar=ENDPOINT_ENV,
        show_envvar=True,
        help="AWS endpoint, e.g. local AWS (moto). Default: AWS.",
        rich_help_panel=PANEL,
    ),
]


@dataclass(frozen=True)
class Connection:
    """What the options said; `stack` is None when neither flag nor environment named one."""

    stack: str | None = None
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None

    def target(self) -> Target:
        return Target(
            stack=self.stack or DEFAULT_STACK,
            region=self.region,
            endpoint_url=self.endpoint_url,
            profile=self.profile,
        )


_OPTIONS: dict[str, Any] = {
    "stack": StackOption,
    "region": RegionOption,
    "profile": ProfileOption,
    "endpoint_url": EndpointOption,
}


def connected(command: Callable[..., R]) -> Callable[..., R]:
    """The command's `connection: Connection` parameter becomes the four connection options."""
    signature = inspect.signature(command)
    kept = [p for p in signature.parameters.values() if p.name != "connection"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=None)
        for name, annotation in _OPTIONS.items()
    ]

    @functools.wraps(command)
    def with_connection(*args: Any, **kwargs: Any) -> R:
        options = {name: kwargs.pop(name, None) for name in _OPTIONS}
        return command(*args, connection=Connection(**options), **kwargs)

    annotations = {k: v for k, v in command.__annotations__.items() if k != "connection"}
    with_connection.__annotations__ = {**annotations, **_OPTIONS}
    with_connection.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    return with_connection
