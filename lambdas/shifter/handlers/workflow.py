"""The workflow Lambda: one handler per state-machine step, dispatched by `step`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from shifter.adapters.transient import is_transient
from shifter.logic.errors import TransientAwsError
from shifter.logic.state import WorkflowState
from shifter.observability import logger, metrics, tracer, use_service_dimension
from shifter.steps import bake, finish, preconditions, prepare, rollback, rollback_hooks, shift, signals, smoke_tests
from shifter.steps.context import Context, context

Step = Callable[[WorkflowState, Context], WorkflowState]

STEPS: dict[str, Step] = {
    "acquire_lock": preconditions.acquire_lock,
    "read_live_state": preconditions.read_live_state,
    "prepare_idle_side": prepare.prepare_idle_side,
    "check_stable": prepare.check_stable,
    "check_target_health": prepare.check_target_health,
    "run_smoke_tests": smoke_tests.run_smoke_tests,
    "shift_weights": shift.shift_weights,
    "check_bake": bake.check_bake,
    "complete_bake": bake.complete_bake,
    "end_promoted_bake": bake.end_promoted_bake,
    "begin_final_wait": shift.begin_final_wait,
    "scale_down_old_side": finish.scale_down_old_side,
    "finish": finish.finish,
    "rollback": rollback.rollback,
    "finish_rollback": rollback.finish_rollback,
    "quarantine": rollback.quarantine,
    "signal_running_deployment": signals.signal_running_deployment,
}
STEP_NAMES = (*STEPS, "validate", "register_bake_token", "record_rollback_hook")


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
    if request.step == "validate":
        return preconditions.validate(request.input, request.execution, ctx).dump()
    if request.state is None:
        raise ValueError(f"step {request.step} needs the workflow state")
    state = WorkflowState.model_validate(request.state)
    step = STEPS.get(request.step)
    if step is None and request.step not in STEP_NAMES:
        raise ValueError(f"unknown step {request.step!r} (known: {', '.join(STEP_NAMES)})")
    logger.info("step", extra={"new_side": state.new_side, "new_weight": state.new_weight})
    try:
        if request.step == "record_rollback_hook":
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
            # A named error the state machine retries with back-off (stacks/traffic_shifter.py).
            raise TransientAwsError(f"{request.step}: {error}") from error
        raise
