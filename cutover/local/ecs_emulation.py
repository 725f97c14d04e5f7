"""What ECS does that moto does not: register a service's tasks in its target group.

moto's ECS reports the new desired/running counts at once but never starts tasks, and a
service created by moto's CloudFormation carries no load balancers. On AWS, ECS registers
each running task's IP in the service's target group and deregisters stopped ones; this
emulation does that after every UpdateService, for the services bound to a target group.
Target health stays moto's ("healthy" once registered) unless a test sets a side's health
to what AWS would report for a failing container ("unhealthy", "initial").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ecs import models as ecs_models
from moto.elbv2 import models as elbv2_models
from moto.elbv2.models import FakeHealthStatus

from cutover.local import failed_task_starts

_bindings: dict[str, str] = {}  # ECS service name → target group ARN
# Called after each UpdateService with (service name, desired count, task-definition ARN, image):
# the demo starts and stops real processes of the example service there, as ECS would tasks.
ServiceObserver = Callable[[str, int, str, str], None]
_observers: list[ServiceObserver] = []
_health_overrides: dict[str, str] = {}  # target group ARN → state reported for its targets


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


def sync(account: str, region: str, cluster: str) -> None:
    """Make each bound target group hold exactly the running tasks of its service."""
    ecs = ecs_models.ecs_backends[account][region]
    elbv2 = elbv2_models.elbv2_backends[account][region]
    for arn in ecs.list_services(cluster):
        (described,), _failures = ecs.describe_services(cluster, [arn])
        target_group = _bindings.get(described.name)
        if target_group is None:
            continue
        running = failed_task_starts.running_count(described.name, described.desired_count)
        wanted = {ip: {"Id": ip, "Port": None} for ip in task_ips(described.name, running)}
        group = elbv2.target_groups[target_group]
        stale = [{"Id": target_id} for target_id in group.targets if target_id not in wanted]
        if stale:
            group.deregister(stale)
        missing = [{"Id": ip} for ip in wanted if ip not in group.targets]
        if missing:
            group.register(missing)


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
