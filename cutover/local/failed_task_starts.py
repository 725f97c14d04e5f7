"""ECS services whose tasks cannot start because of their execution role, as ECS reports them.

moto's UpdateService reports every desired task running at once. When the execution role
may not pull the image, read a secret or write the log stream (execution_role_checks.py),
ECS on AWS instead stops each task it launches (`lastStatus` STOPPED with that
`stoppedReason`), the service's running count stays 0, and the deployment circuit breaker
marks the deployment FAILED once "0.5 * desired task count" tasks failed, with "a minimum
threshold of 3 and a maximum threshold of 200" (ServiceDeploymentCircuitBreaker,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html).
The services of a Cutover stack enable it (cutover/cdk/service_side.py). This module makes moto
say the same. A later update that can start its tasks clears it.
"""

from __future__ import annotations

import math
from typing import Any

from moto.core.utils import utcnow
from moto.ec2.models import ec2_backends
from moto.ecs import models as ecs_models
from moto.moto_api._internal import mock_random

from cutover.local.execution_role_checks import ExecutionRoles, TaskStart

CIRCUIT_BREAKER_THRESHOLD = (3, 200)  # failed tasks, min and max
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."

_checked: list[ExecutionRoles] = []  # the created stack's execution roles (none: never fail a start)
_failed: dict[str, str] = {}  # ECS service name -> the stoppedReason of its tasks


def configure(roles: ExecutionRoles | None) -> None:
    """Check task starts against this stack's execution roles (None: never fail them)."""
    _checked[:] = [roles] if roles is not None else []
    _failed.clear()


def stopped_reason(service_name: str) -> str | None:
    return _failed.get(service_name)


def running_count(service_name: str, desired_count: int) -> int:
    return 0 if service_name in _failed else desired_count


def after_update(backend: Any, cluster_name: str, service: Any) -> None:
    """Called after moto's UpdateService: start the service's tasks as ECS would, or fail them."""
    if not _checked:
        return
    reason = _reason(backend, service) if service.desired_count > 0 else None
    if reason is None:
        if _failed.pop(service.name, None) is not None:
            service.deployments = [_deployment(service, "COMPLETED", "ECS deployment completed.", failed=0)]
        return
    _failed[service.name] = reason
    service.running_count = 0
    service.pending_count = 0
    low, high = CIRCUIT_BREAKER_THRESHOLD
    failed = max(low, min(high, math.ceil(0.5 * service.desired_count)))
    deployment = _deployment(service, "FAILED", CIRCUIT_BREAKER_REASON, failed=failed)
    service.deployments = [deployment]
    definition = backend.describe_task_definition(service.task_definition)
    for _ in range(failed):
        _record_stopped_task(backend, cluster_name, definition, service, deployment_id=deployment["id"], reason=reason)


def _reason(backend: Any, service: Any) -> str | None:
    definition = backend.describe_task_definition(service.task_definition)
    task = TaskStart(
        family=definition.family,
        execution_role_arn=getattr(definition, "execution_role_arn", None),
        containers=definition.container_definitions,
    )
    return _checked[0].why_tasks_cannot_start(task, task_id=mock_random.uuid4().hex)


def _deployment(service: Any, state: str, reason: str, *, failed: int) -> dict[str, Any]:
    now = utcnow()
    return {
        "createdAt": now,
        "desiredCount": service.desired_count,
        "failedTasks": failed,
        "id": f"ecs-svc/{mock_random.randint(0, 32**12)}",
        "launchType": "FARGATE",
        "pendingCount": 0,
        "rolloutState": state,
        "rolloutStateReason": reason,
        "runningCount": service.running_count,
        "status": "PRIMARY",
        "taskDefinition": service.task_definition,
        "updatedAt": now,
    }


def _record_stopped_task(
    backend: Any, cluster_name: str, definition: Any, service: Any, *, deployment_id: str, reason: str
) -> None:
    cluster = backend.clusters[cluster_name]
    network = None
    if definition.network_mode == "awsvpc":
        # The service's subnets are lost by moto's CloudFormation; any subnet of the VPC will do
        # for a task that never ran.
        subnet = next(iter(ec2_backends[backend.account_id][backend.region_name].describe_subnets()))
        network = {"awsvpcConfiguration": {"subnets": [subnet.id], "securityGroups": []}}
    task = ecs_models.Task(
        cluster,
        definition,
        None,
        None,
        backend,
        group=f"service:{service.name}",  # what ECS sets for a service's tasks
        launch_type="FARGATE",
        started_by=deployment_id,
        networking_configuration=network,
    )
    task.desired_status = "STOPPED"
    task.last_status = "STOPPED"
    task.stopped_reason = reason
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
