"""The CLI's JSON documents (`--output json`), schema version 1, written in docs/cli.md.

Every document is one JSON object with `schema_version` and `kind`. Within a schema version
fields are only ever added; a field removed, renamed or changed in meaning bumps the version.
Plain `json.dumps` to stdout: never rich markup, never ANSI codes.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from cutover.cli.errors import CliError, ExitCode
from cutover.cli.fleet import StackRow
from cutover.cli.views import RolloutView, ServiceView, SideView
from cutover.shifter.contract import SIDES
from cutover.shifter.logic.errors import DeploymentRolledBack
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.inputs import DeployInput, ExecutionInput
from cutover.shifter.logic.plan import DeploymentPlan
from cutover.shifter.logic.quotas import PlanEstimate
from cutover.shifter.readers.lock import Lock

SCHEMA_VERSION = 1


def emit(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, default=str))


def _document(kind: str, **fields: Any) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "kind": kind, **fields}


def _name(arn: str | None) -> str | None:
    return arn.rsplit(":", 1)[-1] if arn else None


def _live_side(weights: dict[str, int]) -> str | None:
    return next((side for side in SIDES if weights.get(side) == 100), None)


# ------------------------------------------------------------------ errors
def error(failure: CliError) -> dict[str, Any]:
    return _document(
        "error",
        error={"code": failure.code, "message": str(failure), **failure.details},
        exit_code=int(failure.exit_code),
    )


def usage_error(message: str) -> dict[str, Any]:
    """A usage error click found before any command ran (an unknown option, a missing argument)."""
    return _document(
        "error",
        error={"code": ExitCode.INVALID_INPUT.name.lower(), "message": message},
        exit_code=int(ExitCode.INVALID_INPUT),
    )


# ------------------------------------------------------------------ plan
def plan(request: DeployInput, result: DeploymentPlan, defaults_from: str, cost: PlanEstimate) -> dict[str, Any]:
    return _document(
        "plan",
        valid=True,
        action="deploy",
        image=result.image,
        strategy=result.strategy_name,
        steps=[
            {
                "weight": step.weight,
                "old_side_weight": 100 - step.weight,
                "bake_seconds": step.bake_seconds,
                "pause": step.pause,
            }
            for step in result.steps
        ],
        smoke_tests=[
            {"method": test.method, "path": test.path, "expect_status": test.expect_status}
            for test in result.smoke_tests
        ],
        final_wait_seconds=result.final_wait_seconds(),
        minimum_duration_seconds=result.minimum_duration_seconds(),
        maximum_duration_seconds=result.maximum_duration_seconds(),
        history_events=cost.events,
        longest_seconds=cost.longest_seconds,
        reason=result.reason,
        defaults_from=defaults_from,
        input=request.model_dump(mode="json", exclude_none=True),
    )


def other_input(request: ExecutionInput) -> dict[str, Any]:
    """A valid manual action (switch, rollback, promote, abort, repair): nothing to plan."""
    return _document(
        "plan", valid=True, action=request.action, input=request.model_dump(mode="json", exclude_none=True)
    )


# ------------------------------------------------------------------ status
def _side(side: SideView) -> dict[str, Any]:
    return {
        "side": side.side,
        "weight": side.weight,
        "live": side.weight == 100,
        "image": side.image,
        "task_definition": side.revision,
        "desired": side.desired,
        "running": side.running,
        "healthy": side.healthy,
        "alarms_firing": list(side.alarms_firing),
    }


def _deployment(lock: Lock | None) -> dict[str, Any] | None:
    if lock is None:
        return None
    return {
        "execution_arn": lock.owner,
        "execution_name": _name(lock.owner),
        "phase": lock.phase,
        "new_side": lock.new_side,
        "acquired_at": lock.acquired_at,
        "quarantined": lock.quarantined,
    }


def _status_fields(stack: str, view: ServiceView) -> dict[str, Any]:
    weights = view.weights()
    return {
        "stack": stack,
        "service": view.service,
        "live_side": _live_side(weights),
        "weights": weights,
        "sides": [_side(side) for side in view.sides],
        "deployment": _deployment(view.deployment),
        "verdict": view.verdict,  # the judge's latest, with its numbers (docs/analysis.md), or null
    }


def status(stack: str, view: ServiceView) -> dict[str, Any]:
    return _document("status", **_status_fields(stack, view))


def status_all(region: str, rows: list[StackRow]) -> dict[str, Any]:
    stacks = []
    for row in rows:
        if row.view is not None:
            stacks.append({**_status_fields(row.stack, row.view), "error": None})
        else:
            failure = row.error
            stacks.append(
                {
                    "stack": row.stack,
                    "service": None,
                    "live_side": None,
                    "weights": None,
                    "sides": None,
                    "deployment": None,
                    "verdict": None,
                    "error": {"code": failure.code, "message": str(failure)} if failure else None,
                }
            )
    return _document("status_all", region=region, stacks=stacks)


# ------------------------------------------------------------------ history
HISTORY_FIELDS = (
    "action",
    "image",
    "strategy",
    "from_side",
    "to_side",
    "previous_image",
    "outcome",
    "trigger",
    "reason",
    "started_at",
)


def history(stack: str, service: str, records: list[HistoryRecord]) -> dict[str, Any]:
    return _document(
        "history",
        stack=stack,
        service=service,
        records=[
            {
                "execution_arn": record.execution,
                "execution_name": _name(record.execution),
                **record.model_dump(include=set(HISTORY_FIELDS)),
                "steps": [step.weight for step in record.steps],
                "hook_failures": [failure.model_dump() for failure in record.hook_failures],
            }
            for record in records
        ],
    )


# ------------------------------------------------------------------ executions
def _request_fields(request: Any) -> tuple[str | None, str | None]:
    if not isinstance(request, dict):
        return None, None
    if "ImageURI" in request:  # the imageDetail.json of a CodePipeline ECR source: a deploy
        return "deploy", str(request["ImageURI"])
    image = request.get("image")
    return str(request.get("action", "deploy")), str(image) if image else None


def execution(stack: str, view: RolloutView, exit_code: int) -> dict[str, Any]:
    action, image = _request_fields(view.request)
    output = view.output if isinstance(view.output, dict) else {}
    return _document(
        "execution",
        stack=stack,
        execution_arn=view.execution,
        execution_name=_name(view.execution),
        action=action,
        image=image,
        status=view.status,
        succeeded=view.status == "SUCCEEDED",
        rolled_back=view.error == DeploymentRolledBack.__name__,
        error=view.error,
        cause=view.cause or output.get("cause"),
        weights=view.weights,
        live_side=_live_side(view.weights),
        new_side=view.new_side,
        started_at=view.started_at,
        stopped_at=view.stopped_at,
        output=view.output,
        # The judge's latest verdict with its numbers (as `status` shows it, plus `at`), or null;
        # and every verdict recorded, oldest first (docs/analysis.md, "In the bake").
        verdict=view.verdict(),
        verdicts=list(view.verdicts),
        exit_code=exit_code,
    )


def started(stack: str, execution_arn: str, document: dict[str, Any]) -> dict[str, Any]:
    """`deploy --no-watch`: the execution started; follow it with `cutover watch`."""
    action, image = _request_fields(document)
    return _document(
        "execution",
        stack=stack,
        execution_arn=execution_arn,
        execution_name=_name(execution_arn),
        action=action,
        image=image,
        status="RUNNING",
        succeeded=False,
        rolled_back=False,
        error=None,
        cause=None,
        weights=None,
        live_side=None,
        new_side=None,
        started_at=None,
        stopped_at=None,
        output=None,
        verdict=None,
        verdicts=[],
        exit_code=int(ExitCode.OK),
    )
