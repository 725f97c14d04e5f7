"""`--output human|json`: how a command writes its result (docs/cli.md has the JSON schema)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

import typer

OUTPUT_ENV = "CUTOVER_OUTPUT"


class OutputFormat(StrEnum):
    human = "human"
    json = "json"


OutputOption = Annotated[
    OutputFormat,
    typer.Option(
        "--output",
        "-o",
        envvar=OUTPUT_ENV,
        show_envvar=True,
        case_sensitive=False,
        help="human (default): tables and live progress. json: one JSON document on stdout "
        "(progress goes to stderr), errors included.",
    ),
]


def json_requested(argv: Sequence[str], environment: dict[str, str]) -> bool:
    """Before click has parsed anything (a usage error), did the caller ask for JSON?"""
    for index, arg in enumerate(argv):
        if arg in ("--output", "-o") and index + 1 < len(argv):
            return argv[index + 1].lower() == OutputFormat.json.value
        if arg.startswith("--output="):
            return arg.removeprefix("--output=").lower() == OutputFormat.json.value
        if arg == "--":
            break
    return environment.get(OUTPUT_ENV, "").lower() == OutputFormat.json.value
