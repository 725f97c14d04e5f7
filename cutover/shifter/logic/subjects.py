"""The words a deployment's messages use: SNS subjects, and the causes its outcomes give
(pure: the workflow state in, text out)."""

from __future__ import annotations

from collections.abc import Mapping

from cutover.shifter.logic.state import CaughtError, WorkflowState


def started_subject(state: WorkflowState, service: str) -> str:
    operation = state.operation
    if operation.action == "switch":
        return f"Cutover {service}: switching to {state.new_side}"
    if operation.action == "rollback":
        return f"Cutover {service}: rolling back to {state.deployment.image} on {state.new_side}"
    return f"Cutover {service}: deploying {state.deployment.image} to {state.new_side}"


SUCCEEDED_VERBS = {
    "deploy": "is live",
    "switch": "has all traffic",
    "rollback": "is live again",
    "repair": "has all traffic again (repaired)",
}


def succeeded_subject(state: WorkflowState, service: str) -> str:
    verb = SUCCEEDED_VERBS.get(state.operation.action, "is live")
    return f"Cutover {service}: {state.deployment.image} {verb} on {state.new_side}"


def paused_subject(state: WorkflowState, service: str) -> str:
    return f"Cutover {service}: paused at {state.new_weight} % on {state.new_side}, waiting for promote"


def signal_subject(service: str, action: str, deployment: str) -> str:
    return f"Cutover {service}: {action} requested for {deployment}"


def what(state: WorkflowState) -> str:
    """What was being done, as a subject line names it."""
    if state.operation.action == "deploy":
        return state.plan.image if state.plan else "the deployment"
    return f"the {state.operation.action} to {state.new_side or state.operation.to or 'the previous side'}"


def rolled_back_subject(state: WorkflowState, service: str, trigger: str) -> str:
    return f"Cutover {service}: rolled back {what(state)} ({trigger})"


def failed_subject(state: WorkflowState, service: str, trigger: str) -> str:
    return f"Cutover {service}: {what(state)} failed ({trigger})"


def caught_trigger(caught: CaughtError | None) -> tuple[str, str]:
    """The error name and its readable cause; the cause is "" when the error came without one
    (a task-token failure: the console and moto drop its cause)."""
    return (caught.error if caught else "Unknown"), (caught.message() if caught else "")


def rolled_back_cause(state: WorkflowState, trigger: str, message: str) -> str:
    image = state.previous.image if state.previous else "its previous image"
    return f"{trigger}: {message}. Traffic is 100 % on {state.live_side} ({image})" + (
        f"; {state.new_side} scaled to 0." if state.operation.prepare != "none" else "."
    )


def traffic_text(weights: Mapping[str, int]) -> str:
    return ", ".join(f"{side} {weight} %" for side, weight in sorted(weights.items()))


def rollback_incomplete_cause(failure: str, where: str) -> str:
    return (
        f"the rollback did not complete ({failure}). Production traffic now: {where}. "
        'Fix it with `cutover repair` or the execution input {"action": "repair"}; '
        "the deployment lock stays quarantined until then."
    )


def rollback_incomplete_subject(service: str, where: str) -> str:
    return f"Cutover {service}: ROLLBACK INCOMPLETE, traffic {where}: run cutover repair"
