"""The normalized deployment plan: a deploy request with every stack default applied.

The plan is what the state machine carries from state to state, so it round-trips through JSON.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import DeployInput, SmokeTest, StepsStrategy, StrategyName, format_validation_error
from cutover.shifter.logic.strategy import expand_strategy


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StrategyDefaults(_Frozen):
    """What a deployment gets for a field its input omits. The stack's `strategy_defaults` context
    key (cutover/config.py) is this model, so these defaults are the documented ones (README)."""

    strategy: StrategyName = "canary"
    """How traffic moves: canary (one step, then all), linear (equal steps) or all-at-once."""
    canary_weight: int = Field(default=10, ge=1, le=99)
    """The canary's share of traffic, in percent."""
    linear_step: int = Field(default=20, ge=1, le=99)
    """Each linear step's increment, in percent."""
    bake_seconds: int = Field(default=300, ge=0, le=86_400)
    """How long each step is watched before the next."""
    termination_wait_seconds: int = Field(default=900, ge=0, le=172_800)
    """How long the old side stays warm after 100 % (CodeDeploy's longest: 2,880 min)."""
    poll_interval_seconds: int = Field(default=60, ge=5, le=3_600)
    """How often a bake checks the alarms."""
    alb_propagation_seconds: int = Field(default=60, ge=0, le=3_600)
    """Wait after a listener change before trusting what the ALB serves."""
    max_pause_seconds: int = Field(default=86_400, ge=60, le=604_800)
    """Longest a paused deployment waits for a promote before it rolls back."""


class Defaults(StrategyDefaults):
    """The stack's strategy defaults, health check path and judge, as the Lambda environment
    carries them (`CUTOVER_DEFAULTS`: the stack writes every field, shifter/environment.py)."""

    health_check_path: str = Field(pattern=r"^/")
    analysis: JudgeConfig = Field(default_factory=JudgeConfig)  # the stack's judge (`analysis` context)


class PlanStep(_Frozen):
    weight: int = Field(ge=1, le=100)
    bake_seconds: int = Field(ge=0)
    pause: bool


class DeploymentPlan(_Frozen):
    image: str
    steps: tuple[PlanStep, ...] = Field(min_length=1)
    smoke_tests: tuple[SmokeTest, ...]
    termination_wait_seconds: int = Field(ge=0)
    poll_interval_seconds: int = Field(ge=1)
    alb_propagation_seconds: int = Field(ge=0)
    max_pause_seconds: int = Field(ge=0)
    reason: str
    strategy_name: Literal["canary", "linear", "all-at-once", "steps"]
    analysis: JudgeConfig = Field(default_factory=JudgeConfig)  # off for a switch, a rollback, a repair

    def final_wait_seconds(self) -> int:
        """After the last shift the old side stays warm (instant rollback) for the termination
        wait, and at least the ALB propagation delay, before it is scaled down."""
        return max(self.termination_wait_seconds, self.alb_propagation_seconds)

    def minimum_duration_seconds(self) -> int:
        """Bakes plus the final wait; pauses count zero."""
        return self._duration(pause_seconds=0)

    def maximum_duration_seconds(self) -> int:
        """As the minimum, with every pause held for its longest; sizes the deployment lock's expiry."""
        return self._duration(pause_seconds=self.max_pause_seconds)

    def judged_bakes(self) -> int:
        """Bakes whose inconclusive end the judge may act on: every timed bake and the final wait
        (a pause step already waits for a promote)."""
        bakes = sum(1 for step in self.steps if not step.pause and step.bake_seconds > 0)
        return bakes + (1 if self.final_wait_seconds() > 0 else 0)

    def judge_seconds(self, *, pause_seconds: int) -> int:
        """What the judge may add to each judged bake, at most: its extensions, and a pause when
        an inconclusive bake pauses for a promote (docs/analysis.md, "What a verdict does")."""
        pause = pause_seconds if self.analysis.pauses_when_inconclusive() else 0
        return self.judged_bakes() * (self.analysis.extra_wait_seconds() + pause)

    def _duration(self, *, pause_seconds: int) -> int:
        waits = sum(pause_seconds if step.pause else step.bake_seconds for step in self.steps)
        return waits + self.final_wait_seconds() + self.judge_seconds(pause_seconds=pause_seconds)


def build_plan(request: DeployInput, defaults: Defaults) -> DeploymentPlan:
    """A pure function of (request, defaults): the same input always yields the same plan."""
    strategy = defaults.strategy if request.strategy is None else request.strategy
    strategy_name: Literal["canary", "linear", "all-at-once", "steps"] = (
        "steps" if isinstance(strategy, StepsStrategy) else strategy
    )
    _check_tuning_applies(request, strategy_name)
    steps = expand_strategy(
        strategy,
        canary_weight=_or(request.canary_weight, defaults.canary_weight),
        linear_step=_or(request.linear_step, defaults.linear_step),
        bake_seconds=_or(request.bake_seconds, defaults.bake_seconds),
    )
    smoke_tests = (
        (SmokeTest(path=defaults.health_check_path),) if request.smoke_tests is None else tuple(request.smoke_tests)
    )
    try:
        analysis = defaults.analysis.merged_with(request.analysis)
    except ValidationError as error:  # each is valid alone; their combination is not
        raise InvalidInput(f"analysis (merged over the stack's): {format_validation_error(error)}") from None
    return DeploymentPlan(
        image=request.image,
        steps=tuple(PlanStep(weight=s.weight, bake_seconds=s.bake_seconds, pause=s.pause) for s in steps),
        smoke_tests=smoke_tests,
        termination_wait_seconds=_or(request.termination_wait_seconds, defaults.termination_wait_seconds),
        poll_interval_seconds=defaults.poll_interval_seconds,
        alb_propagation_seconds=defaults.alb_propagation_seconds,
        max_pause_seconds=defaults.max_pause_seconds,
        reason=request.reason if request.reason is not None else f"deploy {request.image}",
        strategy_name=strategy_name,
        analysis=analysis,
    )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _check_tuning_applies(request: DeployInput, strategy_name: str) -> None:
    """A tuning field the strategy ignores is a mistake the caller should hear about, not a silent no-op."""
    for field, owner in (("canary_weight", "canary"), ("linear_step", "linear")):
        if getattr(request, field) is not None and strategy_name != owner:
            raise InvalidInput(
                f"{field}: only applies to strategy '{owner}' (this deployment's strategy is '{strategy_name}')"
            )


def plan_to_state(plan: DeploymentPlan) -> dict[str, Any]:
    return plan.model_dump(mode="json")


def plan_from_state(state: dict[str, Any]) -> DeploymentPlan:
    return DeploymentPlan.model_validate(state)


def build_traffic_plan(image: str, defaults: Defaults, *, reason: str, smoke_tests: bool) -> DeploymentPlan:
    """The plan of a manual switch or rollback: one step to 100 %, no bake, no termination
    wait (the ALB propagation delay still passes before anything is scaled down)."""
    return DeploymentPlan(
        image=image,
        steps=(PlanStep(weight=100, bake_seconds=0, pause=False),),
        smoke_tests=(SmokeTest(path=defaults.health_check_path),) if smoke_tests else (),
        termination_wait_seconds=0,
        poll_interval_seconds=defaults.poll_interval_seconds,
        alb_propagation_seconds=defaults.alb_propagation_seconds,
        max_pause_seconds=defaults.max_pause_seconds,
        reason=reason,
        strategy_name="all-at-once",
    )
