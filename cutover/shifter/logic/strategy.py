"""Expand a named or explicit strategy into the concrete steps the workflow walks through."""

from __future__ import annotations

from dataclasses import dataclass

from cutover.shifter.logic.inputs import StepsStrategy, StrategyName


@dataclass(frozen=True)
class PlannedStep:
    weight: int  # percent of traffic on the new side once this step is applied
    bake_seconds: int  # 0 for a pause: it waits for promote instead
    pause: bool


def expand_strategy(
    strategy: StrategyName | StepsStrategy, *, canary_weight: int, linear_step: int, bake_seconds: int
) -> tuple[PlannedStep, ...]:
    """Steps with strictly increasing weights in 1..100, never empty, the last at 100."""
    if isinstance(strategy, StepsStrategy):
        return tuple(
            PlannedStep(step.weight, 0, True)
            if step.pause
            else PlannedStep(step.weight, bake_seconds if step.bake_seconds is None else step.bake_seconds, False)
            for step in strategy.steps
        )
    if strategy == "all-at-once":
        weights = [100]
    elif strategy == "canary":
        _check_percent("canary_weight", canary_weight)
        weights = [canary_weight, 100]
    else:
        _check_percent("linear_step", linear_step)
        weights = [*range(linear_step, 100, linear_step), 100]
    return tuple(PlannedStep(weight, bake_seconds, False) for weight in weights)


def _check_percent(name: str, value: int) -> None:
    if not 1 <= value <= 99:
        raise ValueError(f"{name} must be within 1..99, got {value}")
