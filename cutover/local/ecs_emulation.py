"""What ECS does that moto does not: register a service's tasks in its target group.

moto's ECS reports the new desired/running counts at once but never starts tasks, and a
service created by moto's CloudFormation carries no load balancers. On AWS, ECS registers
each running task's IP in the service's target group and deregisters stopped ones; this
emulation does that after every UpdateService, for the services bound to a target group.
Target health stays moto's ("healthy" once registered) unless a test sets a side's health
to what AWS would report for a failing container ("unhealthy", "initial").

With AWS's timing on (aws_timing.enable()), tasks and targets follow task_lifecycle instead:
tasks start after a delay, targets are `initial` before `healthy` and `draining` for the
deregistration delay before their task gets SIGTERM; DescribeServices counts running and pending
tasks and DescribeTargetHealth lists the targets' states, with AWS's reason codes, on the run's
compressed clock. `set_health` still overrides the state of a group's (non-draining) targets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ecs import models as ecs_models
from moto.elbv2 import models as elbv2_models
from moto.elbv2.models import FakeHealthStatus

from cutover.local import aws_timing, failed_task_starts
from cutover.local.task_lifecycle import RoutableTarget, TargetGroupSettings, TaskLifecycle, TaskRunner

_bindings: dict[str, str] = {}  # ECS service name → target group ARN
# Called after each UpdateService with (service name, desired count, task-definition ARN, image):
# the demo starts and stops real processes of the example service there, as ECS would tasks.
ServiceObserver = Callable[[str, int, str, str], None]
_observers: list[ServiceObserver] = []
_health_overrides: dict[str, str] = {}  # target group ARN → state reported for its targets
lifecycle = TaskLifecycle(aws_timing.clock)  # the tasks, when AWS's timing is on


def task_ips(service_name: str, count: int) -> list[str]:
    """Stable, distinct private IPs for a service's tasks (10.<side>.0.<n>)."""
    octet = 1 if service_name.endswith("blue") else 2
    return [f"10.{octet}.0.{index + 10}" for index in range(count)]


def bind(service_name: str, target_group_arn: str) -> None:
    _bindings[service_name] = target_group_arn


def set_health(target_group_arn: str, state: str | None) -> None:
    """Report `state` for every target of the group (None: back to healthy)."""
    if state is None:
        _health_overrides.pop(target_group_arn, None)
    else:
        _health_overrides[target_group_arn] = state


def observe(observer: ServiceObserver) -> None:
    _observers.append(observer)


def reset() -> None:
    _bindings.clear()
    _health_overrides.clear()
    _observers.clear()
    lifecycle.reset()


def run_tasks_with(runner: TaskRunner) -> None:
    """With AWS's timing on: start and SIGTERM each task's container with `runner` (after `create`)."""
    lifecycle.attach(runner)


def routable_targets(target_group_arn: str) -> list[RoutableTarget] | None:
    """The group's registered targets and their states, for the router (None: not emulated)."""
    if aws_timing.current() is None or target_group_arn not in _bindings.values():
        return None
    return lifecycle.routable(target_group_arn, _health_overrides.get(target_group_arn))


def _settings(group: Any) -> TargetGroupSettings:
    """The target group's own health-check and draining settings, as AWS applies them."""
    return TargetGroupSettings(
        float(group.health_check_interval_seconds),
        int(group.healthy_threshold_count),
        float(group.attributes.get("deregistration_delay.timeout_seconds", 300)),  # AWS's default: 300 s
    )


def _image(ecs: Any, task_definition: str) -> str:
    return str(ecs.describe_task_definition(task_definition).container_definitions[0]["image"])


def sync(account: str, region: str, cluster: str) -> None:
    """Make each bound target group hold exactly the running tasks of its service.

    With AWS's timing on, a service's first sync seeds its tasks as running and healthy (the
    stack was created and stable); later ones start, replace or stop tasks on AWS's timing."""
    ecs = ecs_models.ecs_backends[account][region]
    elbv2 = elbv2_models.elbv2_backends[account][region]
    timing = aws_timing.current()
    for arn in ecs.list_services(cluster):
        (described,), _failures = ecs.describe_services(cluster, [arn])
        target_group = _bindings.get(described.name)
        if target_group is None:
            continue
        running = failed_task_starts.running_count(described.name, described.desired_count)
        if timing is not None:
            task_definition = str(described.task_definition)
            image = _image(ecs, task_definition)
            if not lifecycle.knows(described.name):
                lifecycle.seed(described.name, target_group, task_definition, image, running)
            elif running < described.desired_count:
                pass  # the execution role cannot start the new tasks (failed_task_starts); ECS keeps the old ones
            else:
                lifecycle.update(
                    described.name,
                    target_group,
                    desired=described.desired_count,
                    task_definition=task_definition,
                    image=image,
                    timing=timing,
                    settings=_settings(elbv2.target_groups[target_group]),
                )
            continue
        wanted = {ip: {"Id": ip, "Port": None} for ip in task_ips(described.name, running)}
        group = elbv2.target_groups[target_group]
        stale = [{"Id": target_id} for target_id in group.targets if target_id not in wanted]
        if stale:
            group.deregister(stale)
        missing = [{"Id": ip} for ip in wanted if ip not in group.targets]
        if missing:
            group.register(missing)


def _counting_tasks(original_describe: Any) -> Any:
    """DescribeServices with AWS's timing on: running and pending counts of the emulated tasks."""

    def describe_services(self: Any, cluster: str, names: list[str]) -> Any:
        services, failures = original_describe(self, cluster, names)
        if aws_timing.current() is not None:
            for service in services:
                if lifecycle.knows(service.name):
                    service.running_count, service.pending_count = lifecycle.counts(service.name)
                    for deployment in service.deployments[:1]:
                        deployment["runningCount"], deployment["pendingCount"] = lifecycle.counts(service.name)
        return services, failures

    return describe_services


def _listing_targets(original_target_health: Any) -> Any:
    """DescribeTargetHealth with AWS's timing on: the emulated targets and their states."""

    def describe_target_health(self: Any, target_group_arn: str, targets: list[dict[str, Any]]) -> Any:
        if aws_timing.current() is None or target_group_arn not in _bindings.values() or targets:
            return original_target_health(self, target_group_arn, targets)
        group = self.target_groups[target_group_arn]
        return [
            FakeHealthStatus(state.target_id, group.port, group.health_check_port, *state[1:])
            for state in lifecycle.target_states(target_group_arn, _health_overrides.get(target_group_arn))
        ]

    return describe_target_health


def install() -> None:
    if getattr(ecs_models.EC2ContainerServiceBackend.update_service, "cutover_emulation", False):
        return
    original_update = ecs_models.EC2ContainerServiceBackend.update_service
    original_health = elbv2_models.FakeTargetGroup.health_for

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        cluster = service_properties.get("cluster", "default")
        service = original_update(self, service_properties)
        failed_task_starts.after_update(self, cluster, service)  # the execution role may start no task
        sync(self.account_id, self.region_name, cluster)
        if _observers:
            task_definition = self.describe_task_definition(service.task_definition)
            image = task_definition.container_definitions[0]["image"]
            for observer in list(_observers):
                observer(service.name, service.desired_count, str(service.task_definition), image)
        return service

    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        status = original_health(self, target, ec2_backend)
        override = _health_overrides.get(self.arn)
        if override is not None and target["Id"] in self.targets:
            return FakeHealthStatus(
                target["Id"], status.port, self.health_check_port, override, "Target.FailedHealthChecks", "emulated"
            )
        return status

    update_service.cutover_emulation = True  # type: ignore[attr-defined]
    setattr(ecs_models.EC2ContainerServiceBackend, "update_service", update_service)  # noqa: B010
    setattr(elbv2_models.FakeTargetGroup, "health_for", health_for)  # noqa: B010
    describe_services = _counting_tasks(ecs_models.EC2ContainerServiceBackend.describe_services)
    setattr(ecs_models.EC2ContainerServiceBackend, "describe_services", describe_services)  # noqa: B010
    describe_target_health = _listing_targets(elbv2_models.ELBv2Backend.describe_target_health)
    setattr(elbv2_models.ELBv2Backend, "describe_target_health", describe_target_health)  # noqa: B010
