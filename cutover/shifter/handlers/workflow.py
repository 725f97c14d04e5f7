"""The workflow Lambda: one handler per state-machine step, dispatched by `step`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from cutover.shifter.adapters.transient import is_transient
from cutover.shifter.contract import StepName
from cutover.shifter.logic.errors import TransientAwsError
from cutover.shifter.logic.state import WorkflowState
from cutover.shifter.observability import logger, metrics, tracer, use_service_dimension
from cutover.shifter.steps import (
    bake,
    finish,
    preconditions,
    prepare,
    rollback,
    rollback_hooks,
    shift,
    signals,
    smoke_tests,
)
from cutover.shifter.steps.context import Context, context

Step = Callable[[WorkflowState, Context], WorkflowState]

STEPS: dict[StepName, Step] = {
    StepName.ACQUIRE_LOCK: preconditions.acquire_lock,
    StepName.READ_LIVE_STATE: preconditions.read_live_state,
    StepName.PREPARE_IDLE_SIDE: prepare.prepare_idle_side,
    StepName.CHECK_STABLE: prepare.check_stable,
    StepName.CHECK_TARGET_HEALTH: prepare.check_target_health,
    StepName.RUN_SMOKE_TESTS: smoke_tests.run_smoke_tests,
    StepName.SHIFT_WEIGHTS: shift.shift_weights,
    StepName.CHECK_BAKE: bake.check_bake,
    StepName.COMPLETE_BAKE: bake.complete_bake,
    StepName.END_PROMOTED_BAKE: bake.end_promoted_bake,
    StepName.BEGIN_FINAL_WAIT: shift.begin_final_wait,
    StepName.SCALE_DOWN_OLD_SIDE: finish.scale_down_old_side,
    StepName.FINISH: finish.finish,
    StepName.ROLLBACK: rollback.rollback,
    StepName.FINISH_ROLLBACK: rollback.finish_rollback,
    StepName.QUARANTINE: rollback.quarantine,
    StepName.SIGNAL_RUNNING_DEPLOYMENT: signals.signal_running_deployment,
}
# Steps with their own arguments (the raw input, the task token, the failed hook), dispatched below.
SPECIAL_STEPS = (StepName.VALIDATE, StepName.REGISTER_BAKE_TOKEN, StepName.RECORD_ROLLBACK_HOOK)
STEP_NAMES: tuple[str, ...] = tuple(StepName)


class WorkflowEvent(BaseModel):
    """What the state machine sends: the step, the execution, and the state or raw input."""

    model_config = ConfigDict(extra="forbid")

    step: str
    execution: str
    state: dict[str, Any] | None = None
    input: Any = None
    token: str | None = None
    hook: str | None = None  # record_rollback_hook: the function that failed


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], lambda_context: LambdaContext) -> dict[str, Any]:
    return run_step(event, context)


def run_step(event: dict[str, Any], make_context: Callable[[], Context]) -> dict[str, Any]:
    """Parse the event and run its step on the context `make_context` builds: the handler's
    boto3 adapters, or a test's in-memory fakes (built after parsing, as the handler always did)."""
    request = parse(event=event, model=WorkflowEvent)
    logger.set_correlation_id(request.execution)
    logger.append_keys(step=request.step)
    ctx = make_context()
    use_service_dimension(ctx.env.service_name)
    if request.step == StepName.VALIDATE:
        return preconditions.validate(request.input, request.execution, ctx).dump()
    if request.state is None:
        raise ValueError(f"step {request.step} needs the workflow state")
    state = WorkflowState.model_validate(request.state)
    if request.step not in STEP_NAMES:
        raise ValueError(f"unknown step {request.step!r} (known: {', '.join(STEP_NAMES)})")
    step = STEPS.get(StepName(request.step))
    logger.info("step", extra={"new_side": state.new_side, "new_weight": state.new_weight})
    try:
        if request.step == StepName.RECORD_ROLLBACK_HOOK:
            if request.hook is None:
                raise ValueError("record_rollback_hook needs the hook's name")
            return rollback_hooks.record_rollback_hook(state, request.hook, ctx).dump()
        if step is None:
            if request.token is None:
                raise ValueError("register_bake_token needs the task token")
            return bake.register_bake_token(state, request.token, ctx)
        return step(state, ctx).dump()
    except Exception as error:
        if is_transient(error):
            # A named error the state machine retries with back-off (cutover/cdk/traffic_shifter.py).
            raise TransientAwsError(f"{request.step}: {error}") from error
        raise
