"""What every step needs: the environment, the adapters bound to it, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from shifter.adapters.deployment_table import DeploymentTable
from shifter.adapters.live_state_store import LiveStateStore
from shifter.environment import ShifterEnvironment, environment
from shifter.logic.state import TimelineEvent, WorkflowState


@dataclass(frozen=True)
class Context:
    env: ShifterEnvironment
    table: DeploymentTable
    live: LiveStateStore


def context() -> Context:
    env = environment()
    return Context(
        env=env, table=DeploymentTable(env.table_name, env.service_name), live=LiveStateStore(env.live_state_prefix)
    )


def now() -> datetime:
    return datetime.now(UTC)


def iso_now() -> str:
    return now().isoformat(timespec="seconds")


def note(state: WorkflowState, event: str, **detail: object) -> None:
    """Append to the deployment's timeline (kept in the history record)."""
    state.timeline.append(TimelineEvent(at=iso_now(), event=event, detail=dict(detail)))


def console_link(execution_arn: str) -> str:
    region = execution_arn.split(":")[3]
    return f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"


def seconds_since(iso_timestamp: str) -> float:
    return (now() - datetime.fromisoformat(iso_timestamp)).total_seconds()
