"""A Context wired to the fakes, with a small blue/green environment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cutover.shifter.adapters.metric_data import CloudWatchMetricData
from cutover.shifter.contract import Env
from cutover.shifter.environment import ShifterEnvironment
from cutover.shifter.steps.context import Context
from tests.unit.shifter.fakes.aws import (
    FakeAlarms,
    FakeAutoscaling,
    FakeCloudWatch,
    FakeEcs,
    FakeLiveState,
    FakeLoadBalancer,
    FakeNotifier,
    FakeProbe,
    FakeSecrets,
    FakeService,
    FakeTable,
    FakeTaskTokens,
)

# Shaped as AWS's: the judge's CloudWatch dimensions are their final portions (queries.alb_targets).
TARGET_GROUPS = {
    "blue": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app-blue/0123456789abcdef",
    "green": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app-green/fedcba9876543210",
}
LISTENER_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/app/50dc6c495c0c9188/f2f7dc8efc522ab2"
SERVICES = {"blue": "app-blue", "green": "app-green"}

ENVIRONMENT = ShifterEnvironment.model_validate(
    {
        Env.SERVICE: "app",
        Env.CLUSTER: "cluster",
        Env.LISTENER_ARN: LISTENER_ARN,
        Env.TABLE: "table",
        Env.TOPIC_ARN: "arn:topic",
        Env.LIVE_STATE_PREFIX: "/cutover/app",
        Env.SERVICES: SERVICES,
        Env.TARGET_GROUPS: TARGET_GROUPS,
        Env.TEMPLATE_TASK_DEFINITIONS: {"blue": "app-blue-td", "green": "app-green-td"},
        Env.SIDE_ALARMS: {"blue": ["blue-5xx"], "green": ["green-5xx"]},
        Env.GLOBAL_ALARMS: [],
        Env.CONTAINER_NAME: "app",
        Env.ECR_REPOSITORIES: [],
        Env.BASE_URL: "http://test-route",
        Env.AUTOSCALING: True,
        Env.DEFAULTS: {
            "strategy": "canary",
            "canary_weight": 10,
            "linear_step": 25,
            "bake_seconds": 60,
            "termination_wait_seconds": 60,
            "poll_interval_seconds": 10,
            "alb_propagation_seconds": 5,
            "max_pause_seconds": 3600,
            "health_check_path": "/health",
        },
    }
)


@dataclass
class World:
    """The fakes a test arranges and inspects, and the Context the steps see."""

    load_balancer: FakeLoadBalancer
    ecs: FakeEcs
    table: FakeTable
    live: FakeLiveState
    notifier: FakeNotifier
    ctx: Context
    cloudwatch: FakeCloudWatch
    alarms: FakeAlarms
    task_tokens: FakeTaskTokens
    probe: FakeProbe
    secrets: FakeSecrets


def world(*, blue_weight: int = 100, blue_tasks: int = 2, green_tasks: int = 0) -> World:
    load_balancer = FakeLoadBalancer(
        weights={"blue": blue_weight, "green": 100 - blue_weight},
        healthy={TARGET_GROUPS["blue"]: blue_tasks, TARGET_GROUPS["green"]: green_tasks},
    )
    ecs = FakeEcs(
        {
            "app-blue": FakeService(blue_tasks, blue_tasks, "app-blue-td:1"),
            "app-green": FakeService(green_tasks, green_tasks, "app-green-td:1"),
        }
    )
    table, live, notifier, cloudwatch = FakeTable(), FakeLiveState(), FakeNotifier(), FakeCloudWatch()
    alarms, task_tokens, probe, secrets = FakeAlarms(), FakeTaskTokens(), FakeProbe(), FakeSecrets()
    client: Any = cloudwatch  # what the adapter calls of a boto3 client: get_metric_data
    ctx = Context(
        env=ENVIRONMENT,
        table=table,
        live=live,
        load_balancer=load_balancer,
        ecs=ecs,
        autoscaling=FakeAutoscaling(ecs),
        alarms=alarms,
        task_tokens=task_tokens,
        notifier=notifier,
        probe=probe,
        secrets=secrets,
        metric_data=CloudWatchMetricData(client),
    )
    return World(load_balancer, ecs, table, live, notifier, ctx, cloudwatch, alarms, task_tokens, probe, secrets)
