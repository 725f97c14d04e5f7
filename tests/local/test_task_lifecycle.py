"""ECS tasks and their targets on AWS's timing, as DescribeServices and DescribeTargetHealth report them.

Through the real APIs on moto with the ECS emulation installed. Time is a clock the test advances
(AWS seconds), so nothing here sleeps. The task runner is a recorder: it stands in for the
container runtime (the demo starts a process there) and notes when each task is started and when
it gets SIGTERM."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from cutover.local import aws_timing, ecs_emulation
from cutover.local.aws_timing import AwsTiming
from tests.local.manual_clock import ManualClock

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

REGION = "eu-west-1"
CLUSTER = "cutover-demo"
SERVICE = "demo-green"
INTERVAL = 10  # the target group's HealthCheckIntervalSeconds
THRESHOLD = 3  # its HealthyThresholdCount
DEREGISTRATION_DELAY = 30
TASK_START = 20


@dataclass
class RecordingRunner:
    clock: ManualClock
    events: list[tuple[str, str, float]] = field(default_factory=list)

    def start_task(self, service: str, task_id: str, image: str) -> str | None:
        self.events.append(("start", task_id, self.clock.now()))
        return f"http://127.0.0.1:1/{task_id}"

    def stop_task(self, service: str, task_id: str) -> None:
        self.events.append(("sigterm", task_id, self.clock.now()))

    def sigterms(self) -> list[tuple[str, float]]:
        return [(task_id, at) for kind, task_id, at in self.events if kind == "sigterm"]


@dataclass
class Ecs:
    ecs: ECSClient
    elbv2: ElasticLoadBalancingv2Client
    target_group: str
    clock: ManualClock
    runner: RecordingRunner

    def scale(self, desired: int, task_definition: str = "app:1") -> None:
        self.ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=desired, taskDefinition=task_definition)

    def counts(self) -> tuple[int, int]:
        service = self.ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
        return service["runningCount"], service["pendingCount"]

    def health(self) -> list[tuple[str, str | None]]:
        described = self.elbv2.describe_target_health(TargetGroupArn=self.target_group)["TargetHealthDescriptions"]
        return [(d["TargetHealth"]["State"], d["TargetHealth"].get("Reason")) for d in described]


def timing(**overrides: Any) -> AwsTiming:
    return AwsTiming(**{"task_start_seconds": TASK_START, **overrides})


@pytest.fixture
def ecs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Ecs]:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    clock = ManualClock()
    monkeypatch.setattr(ecs_emulation.lifecycle, "clock", clock)
    monkeypatch.setattr(aws_timing._switch, "timing", timing())
    ecs_emulation.install()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        elbv2 = boto3.client("elbv2", region_name=REGION)
        group = elbv2.create_target_group(
            Name="green",
            Protocol="HTTP",
            Port=8080,
            VpcId=vpc,
            TargetType="ip",
            HealthCheckIntervalSeconds=INTERVAL,
            HealthyThresholdCount=THRESHOLD,
        )["TargetGroups"][0]["TargetGroupArn"]
        elbv2.modify_target_group_attributes(
            TargetGroupArn=group,
            Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": str(DEREGISTRATION_DELAY)}],
        )
        client = boto3.client("ecs", region_name=REGION)
        client.create_cluster(clusterName=CLUSTER)
        for image in ("app:v1", "app:v2"):
            client.register_task_definition(
                family="app", containerDefinitions=[{"name": "app", "image": image, "memory": 512}]
            )
        client.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition="app:1", desiredCount=0)
        ecs_emulation.reset()
        ecs_emulation.bind(SERVICE, group)
        account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
        ecs_emulation.sync(account, REGION, CLUSTER)
        runner = RecordingRunner(clock)
        ecs_emulation.run_tasks_with(runner)
        yield Ecs(client, elbv2, group, clock, runner)
        ecs_emulation.reset()


def test_a_new_task_is_pending_then_initial_then_healthy_after_one_health_check(ecs: Ecs) -> None:
    ecs.scale(1)

    assert ecs.counts() == (0, 1)
    assert ecs.health() == []  # not a target until ECS has started it
    ecs.clock.advance(TASK_START)
    assert ecs.counts() == (1, 0)
    assert ecs.health() == [("initial", "Elb.RegistrationInProgress")]
    ecs.clock.advance(INTERVAL - 1)
    assert ecs.health() == [("initial", "Elb.RegistrationInProgress")]
    ecs.clock.advance(1)  # "it must pass one health check to be considered healthy"
    assert ecs.health() == [("healthy", None)]


def test_with_the_threshold_reading_a_new_target_is_healthy_after_threshold_times_interval(
    ecs: Ecs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aws_timing._switch, "timing", timing(health_checks_to_healthy=None))
    ecs.scale(1)
    ecs.clock.advance(TASK_START + INTERVAL)

    assert ecs.health() == [("initial", "Elb.InitialHealthChecking")]
    ecs.clock.advance(INTERVAL * (THRESHOLD - 1) - 1)
    assert ecs.health() == [("initial", "Elb.InitialHealthChecking")]
    ecs.clock.advance(1)
    assert ecs.health() == [("healthy", None)]


def test_a_deregistered_target_drains_for_the_delay_and_only_then_its_task_gets_sigterm(ecs: Ecs) -> None:
    ecs.scale(1)
    ecs.clock.advance(TASK_START + INTERVAL)
    ecs.scale(0)

    assert ecs.health() == [("draining", "Target.DeregistrationInProgress")]
    assert ecs.counts() == (1, 0)
    ecs.clock.advance(DEREGISTRATION_DELAY - 1)
    assert ecs.health() == [("draining", "Target.DeregistrationInProgress")]
    assert ecs.runner.sigterms() == []
    ecs.clock.advance(1)
    assert ecs.health() == []
    assert ecs.counts() == (0, 0)
    [(_task, at)] = ecs.runner.sigterms()
    assert at == ecs.clock.now()


def test_a_new_task_definition_starts_new_tasks_and_drains_the_old_once_they_are_healthy(ecs: Ecs) -> None:
    ecs.scale(2)
    ecs.clock.advance(TASK_START + INTERVAL)
    ecs.scale(2, task_definition="app:2")

    assert ecs.counts() == (2, 2)
    ecs.clock.advance(TASK_START)
    assert sorted(ecs.health()) == [*[("healthy", None)] * 2, *[("initial", "Elb.RegistrationInProgress")] * 2]
    ecs.clock.advance(INTERVAL)
    assert sorted(ecs.health()) == [*[("draining", "Target.DeregistrationInProgress")] * 2, *[("healthy", None)] * 2]
    ecs.clock.advance(DEREGISTRATION_DELAY)
    assert ecs.health() == [("healthy", None)] * 2
    assert len(ecs.runner.sigterms()) == 2
    assert ecs.counts() == (2, 0)


def test_scaling_in_a_task_that_has_not_started_stops_it_without_draining(ecs: Ecs) -> None:
    ecs.scale(1)
    ecs.scale(0)
    ecs.clock.advance(0)  # the stop is due at once: let its timer run

    assert ecs.counts() == (0, 0)
    assert ecs.health() == []
    assert len(ecs.runner.sigterms()) == 1


def test_a_health_override_still_reports_what_the_test_sets_but_never_hides_draining(ecs: Ecs) -> None:
    ecs.scale(2)
    ecs.clock.advance(TASK_START + INTERVAL)
    ecs_emulation.set_health(ecs.target_group, "unhealthy")

    assert ecs.health() == [("unhealthy", "Target.FailedHealthChecks")] * 2
    ecs.scale(1)
    assert sorted(ecs.health()) == [
        ("draining", "Target.DeregistrationInProgress"),
        ("unhealthy", "Target.FailedHealthChecks"),
    ]
    ecs_emulation.set_health(ecs.target_group, None)
    assert sorted(ecs.health()) == [("draining", "Target.DeregistrationInProgress"), ("healthy", None)]
