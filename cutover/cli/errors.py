"""Errors the CLI shows as one plain line (never a traceback), with its exit code."""

from __future__ import annotations


class CliError(Exception):
    """Shown as `cutover: <message>`; exit code 1."""

    exit_code = 1


class CliInputError(CliError):
    """The input is invalid: nothing was started. Exit code 2."""

    exit_code = 2
