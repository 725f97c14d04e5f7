"""What every step needs: the environment, the adapters bound to it, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cutover.shifter import ports
from cutover.shifter.adapters import aws_clients
from cutover.shifter.adapters.alarms import CloudWatchAlarms
from cutover.shifter.adapters.autoscaling import ApplicationAutoScaling
from cutover.shifter.adapters.deployment_table import DeploymentTable
from cutover.shifter.adapters.ecs_service import EcsServices
from cutover.shifter.adapters.http_probe import UrllibProbe
from cutover.shifter.adapters.live_state_store import LiveStateStore
from cutover.shifter.adapters.load_balancer import ElbLoadBalancer
from cutover.shifter.adapters.metric_data import CloudWatchMetricData
from cutover.shifter.adapters.notifier import SnsNotifier
from cutover.shifter.adapters.secrets import SecretsManagerSecrets
from cutover.shifter.adapters.task_tokens import StepFunctionsTaskTokens
from cutover.shifter.environment import ShifterEnvironment, environment
from cutover.shifter.logic.state import TimelineEvent, WorkflowState


@dataclass(frozen=True)
class Context:
    env: ShifterEnvironment
    table: ports.Table
    live: ports.LiveState
    load_balancer: ports.LoadBalancer
    ecs: ports.Services
    autoscaling: ports.Autoscaling
    alarms: ports.Alarms
    task_tokens: ports.TaskTokens
    notifier: ports.Notifier
    probe: ports.Probe
    secrets: ports.Secrets
    metric_data: ports.MetricDataReader  # the judge's one GetMetricData call per check


def context(clients: aws_clients.ClientFactory = aws_clients.client) -> Context:
    """The boto3 adapters, each bound to a client from `clients` (cached per cold start by
    default; the local harness and the bench inject or hook the factory)."""
    env = environment()
    return Context(
        env=env,
        table=DeploymentTable(env.table_name, env.service_name, clients("dynamodb")),
        live=LiveStateStore(env.live_state_prefix, clients("ssm")),
        load_balancer=ElbLoadBalancer(clients("elbv2")),
        ecs=EcsServices(clients("ecs")),
        autoscaling=ApplicationAutoScaling(clients("application-autoscaling")),
        alarms=CloudWatchAlarms(clients("cloudwatch")),
        task_tokens=StepFunctionsTaskTokens(clients("stepfunctions")),
        notifier=SnsNotifier(clients("sns")),
        probe=UrllibProbe(),
        secrets=SecretsManagerSecrets(clients("secretsmanager")),
        metric_data=CloudWatchMetricData(clients("cloudwatch")),
    )


def now() -> datetime:
    return datetime.now(UTC)


def iso_now() -> str:
    return now().isoformat(timespec="seconds")


def note(state: WorkflowState, event: str, **detail: object) -> None:
    """Append to the deployment's timeline (kept in the history record)."""
    state.timeline.append(TimelineEvent(at=iso_now(), event=event, detail=dict(detail)))


def seconds_since(iso_timestamp: str) -> float:
    return (now() - datetime.fromisoformat(iso_timestamp)).total_seconds()
