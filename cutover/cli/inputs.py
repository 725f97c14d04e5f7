"""Execution inputs built from command-line options, validated by the shifter's own code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cutover.cli.errors import CliInputError
from cutover.shifter.logic.durations import parse_duration
from cutover.shifter.logic.ecr_images import check_pullable
from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import HOOK_STAGES, DeployInput, ExecutionInput, parse_execution_input
from cutover.shifter.logic.plan import Defaults, DeploymentPlan, build_plan
from cutover.shifter.logic.quotas import ConfiguredHooks, PlanEstimate, check_plan


def read_input(source: str) -> Any:
    """JSON from a file, or from standard input with `-`."""
    import sys

    text = sys.stdin.read() if source == "-" else Path(source).read_text()
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CliInputError(f"input: not JSON ({error.msg} at line {error.lineno})") from None
    except RecursionError:
        raise CliInputError("input: not JSON (nested too deeply)") from None


def validate(raw: Any) -> ExecutionInput:
    try:
        return parse_execution_input(raw)
    except InvalidInput as error:
        raise CliInputError(str(error)) from None


def plan_for(
    request: DeployInput, defaults: Defaults, *, pipeline: bool = False, hooks: ConfiguredHooks | None = None
) -> tuple[DeploymentPlan, PlanEstimate]:
    """The plan and its Step Functions cost, refused as the validate step refuses it."""
    try:
        plan = build_plan(request, defaults)
        return plan, check_plan(plan, pipeline=pipeline, **(hooks or ConfiguredHooks()).run_by(request.hooks))
    except InvalidInput as error:
        raise CliInputError(str(error)) from None


def check_image_pullable(request: DeployInput, repositories: list[str]) -> None:
    try:
        check_pullable(request.image, repositories)
    except InvalidInput as error:
        raise CliInputError(str(error)) from None


def seconds(option: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as error:
        raise CliInputError(f"{option}: {error}") from None


JUDGE_MODES = ("off", "dry-run", "on")  # logic/analysis/models.JudgeConfig.mode


def deploy_input(
    image: str,
    *,
    strategy: str | None,
    steps: str | None,
    bake: str | None,
    canary_weight: int | None,
    linear_step: int | None,
    termination_wait: str | None,
    reason: str | None,
    skip_hooks: str | None = None,
    judge: str | None = None,
) -> dict[str, Any]:
    """`--steps 10,50:pause,100` is an explicit steps strategy; each step bakes `--bake`;
    `--skip-hooks on_step,on_rollback` switches those configured hook stages off; `--judge`
    sets the canary judge's mode (`analysis.mode`, merged over the stack's analysis)."""
    document: dict[str, Any] = {"action": "deploy", "image": image}
    if steps is not None:
        if strategy is not None:
            raise CliInputError("--steps and --strategy: give one or the other")
        document["strategy"] = {"steps": [_step(item) for item in steps.split(",") if item.strip()]}
    elif strategy is not None:
        document["strategy"] = strategy
    optional = {
        "bake_seconds": seconds("--bake", bake),
        "canary_weight": canary_weight,
        "linear_step": linear_step,
        "termination_wait_seconds": seconds("--termination-wait", termination_wait),
        "reason": reason,
    }
    document.update({key: value for key, value in optional.items() if value is not None})
    if skip_hooks is not None:
        document["hooks"] = dict.fromkeys(_hook_stages(skip_hooks), False)
    if judge is not None:
        if judge not in JUDGE_MODES:
            raise CliInputError(f"--judge: {judge!r} is not one of {', '.join(JUDGE_MODES)}")
        document["analysis"] = {"mode": judge}
    return document


def _hook_stages(text: str) -> list[str]:
    stages = [stage.strip() for stage in text.split(",") if stage.strip()]
    unknown = [stage for stage in stages if stage not in HOOK_STAGES]
    if unknown or not stages:
        raise CliInputError(
            f"--skip-hooks: {'unknown hook stage ' + repr(unknown[0]) if unknown else 'no stage given'} "
            f"(known: {', '.join(HOOK_STAGES)})"
        )
    return stages


def _step(item: str) -> dict[str, Any]:
    weight, _, flag = item.strip().partition(":")
    try:
        step: dict[str, Any] = {"weight": int(weight)}
    except ValueError:
        raise CliInputError(f"--steps: {item!r} is not a weight (e.g. 10,50:pause,100)") from None
    if flag == "pause":
        step["pause"] = True
    elif flag:
        raise CliInputError(f"--steps: unknown step flag {flag!r} (only :pause)")
    return step
