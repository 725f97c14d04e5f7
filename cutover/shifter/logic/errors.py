"""Errors the workflow names. The class name is the Step Functions error name that
Retry/Catch match on (Lambda reports `errorType` = the exception's class name), so
these names are part of the contract: the CLI and the docs use them too."""

from __future__ import annotations


class CutoverError(Exception):
    """Base class; the message is the human-readable cause."""


class InvalidInput(CutoverError):
    """The execution input is invalid; nothing in AWS was touched. The message names the field."""


class DeploymentInProgress(CutoverError):
    """Another execution holds the service's lock. The message names the holder."""


class InconsistentTraffic(CutoverError):
    """Split weights with no deployment running (e.g. after a crash): use `switch`."""


class AlarmAlreadyFiring(CutoverError):
    """An alarm of the side that would receive traffic is in ALARM before the first shift."""


class StabilizationTimeout(CutoverError):
    """The idle side did not reach a steady state on the new revision in time."""


class TargetUnhealthy(CutoverError):
    """The side's targets are not (all) healthy, or there are fewer than desired."""


class SmokeTestFailed(CutoverError):
    """A smoke test through the test route did not get the expected answer."""


class AlarmFired(CutoverError):
    """An alarm of the new side (or a global alarm) went into ALARM while it had traffic."""


class Aborted(CutoverError):
    """Someone asked the running deployment to roll back (abort / rollback action)."""


class Promoted(CutoverError):
    """Not a failure: a promote ended the bake's token wait at once (the state machine catches
    it on a step's bake and goes on to 100 %)."""


class JudgeFailed(CutoverError):
    """The judge (mode on) found the new side worse than the old on a metric; the message names
    the metric with its numbers (docs/analysis.md)."""


class JudgeInconclusive(CutoverError):
    """A bake ended without a conclusive verdict and the judge is set to roll back then."""


class PauseExpired(CutoverError):
    """A paused step waited longer than the maximum pause without a promote."""


class WeightsNotApplied(CutoverError):
    """The listener did not read back the weights just written."""


class DeploymentRolledBack(CutoverError):
    """The final error of a deployment that rolled back; the message names the trigger."""


class TransientAwsError(CutoverError):
    """Throttling or a 5xx that outlived botocore's retries: the state machine retries the step."""


class NoDeploymentRunning(CutoverError):
    """promote / abort asked for, but no deployment of the service is running."""


class NothingToRollBack(CutoverError):
    """rollback asked for with no deployment running and no earlier side to go back to."""


class LiveStateMismatch(CutoverError):
    """A side does not run what the live state records for it: it must not get traffic."""


class HookFailed(CutoverError):
    """A lifecycle hook errored, timed out, or answered {"status": "FAILED"}."""
