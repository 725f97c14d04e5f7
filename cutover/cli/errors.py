"""The CLI's exit codes, and the errors it shows as one plain line (never a traceback).

This module is the one place the exit codes are defined; docs/cli.md and `cutover --help`
list them from here. Scripts rely on them: a code never changes meaning.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    DEPLOYMENT_FAILED = 1  # the execution ended FAILED, TIMED_OUT or ABORTED: rolled back, refused or failed
    INVALID_INPUT = 2  # invalid input or usage: nothing was started (click's own usage errors are 2 too)
    NO_CREDENTIALS = 3  # no AWS credentials or no region configured
    STACK_NOT_FOUND = 4  # the stack does not exist, or is not a Cutover stack (lacks an output the CLI reads)
    NOTHING_TO_WATCH = 5  # `watch` without an execution: none running and none before
    TIMED_OUT = 6  # still running after --timeout: the deployment goes on, only the CLI stopped following
    AWS_ERROR = 7  # AWS could not be reached or refused a call (access denied, throttled, …)
    DEPLOYMENT_IN_PROGRESS = 8  # `preflight`: a deployment holds the lock; do not update the stack now


EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success (the execution SUCCEEDED, or the command did what it says)",
    ExitCode.DEPLOYMENT_FAILED: "the deployment or action failed or rolled back (execution FAILED, TIMED_OUT, ABORTED)",
    ExitCode.INVALID_INPUT: "invalid input or usage; nothing was started",
    ExitCode.NO_CREDENTIALS: "no AWS credentials or region",
    ExitCode.STACK_NOT_FOUND: "stack not found, or not a Cutover stack",
    ExitCode.NOTHING_TO_WATCH: "nothing to watch: no deployment running and none before",
    ExitCode.TIMED_OUT: "still running after --timeout (the deployment goes on)",
    ExitCode.AWS_ERROR: "AWS unreachable or refused a call",
    ExitCode.DEPLOYMENT_IN_PROGRESS: "preflight: a deployment is running; do not update the stack now",
}


class CliError(Exception):
    """Shown as `cutover: <message>` (or one JSON error object with --output json)."""

    exit_code: ExitCode = ExitCode.AWS_ERROR

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details  # extra fields of the JSON error object, e.g. execution_arn

    @property
    def code(self) -> str:
        """The stable, machine-readable name of the error: the exit code's name, lower case."""
        return self.exit_code.name.lower()


class CliInputError(CliError):
    """The input is invalid: nothing was started."""

    exit_code = ExitCode.INVALID_INPUT


class NoCredentials(CliError):
    exit_code = ExitCode.NO_CREDENTIALS


class StackNotFound(CliError):
    exit_code = ExitCode.STACK_NOT_FOUND


class NothingToWatch(CliError):
    exit_code = ExitCode.NOTHING_TO_WATCH


class WatchTimedOut(CliError):
    exit_code = ExitCode.TIMED_OUT


class AwsError(CliError):
    exit_code = ExitCode.AWS_ERROR


NO_CREDENTIALS_MESSAGE = (
    "no AWS credentials: configure them (aws configure, AWS_PROFILE) or use --endpoint-url for local AWS"
)

# Error codes AWS answers when credentials exist but are not valid (expired, unknown key,
# bad signature): for a script that is the same problem as none at all.
_CREDENTIALS_ERROR_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)


def is_credentials_error(aws_error_code: str) -> bool:
    return aws_error_code in _CREDENTIALS_ERROR_CODES
