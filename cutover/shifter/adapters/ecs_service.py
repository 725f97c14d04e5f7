"""ECS: the two services and the task-definition revisions they run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cutover.shifter.logic.observed import ServiceStatus

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient


# RegisterTaskDefinition accepts these keys of a described task definition.
_REGISTRABLE = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
)


class EcsServices:
    """Bound to one ecs client, created once per cold start (adapters/aws_clients.py)."""

    def __init__(self, client: ECSClient) -> None:
        self._client = client

    def describe_service(self, cluster: str, service: str) -> ServiceStatus:
        described = self._client.describe_services(cluster=cluster, services=[service])
        if not described["services"]:
            raise LookupError(f"ECS service {service} not found in cluster {cluster}")
        found = described["services"][0]
        deployments = found.get("deployments", [])
        return ServiceStatus(
            desired=found.get("desiredCount", 0),
            running=found.get("runningCount", 0),
            pending=found.get("pendingCount", 0),
            task_definition=found["taskDefinition"],
            deployments=max(1, len(deployments)),
            rollout_failed=any(d.get("rolloutState") == "FAILED" for d in deployments),
        )

    def stopped_task_reasons(self, cluster: str, service: str, limit: int = 2) -> list[str]:
        """Why the service's recently stopped tasks stopped (e.g. CannotPullContainerError), newest first.

        ListTasks with desiredStatus STOPPED returns the tasks ECS still keeps; a service's tasks are
        in the group `service:<name>` (DescribeTasks, "group")."""
        client = self._client
        arns = client.list_tasks(cluster=cluster, serviceName=service, desiredStatus="STOPPED", maxResults=10)[
            "taskArns"
        ]
        if not arns:
            return []
        tasks = client.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
        ours = [t for t in tasks if t.get("group") == f"service:{service}" and t.get("stoppedReason")]
        ours.sort(key=lambda t: str(t.get("stoppedAt") or t.get("createdAt") or ""), reverse=True)
        return list(dict.fromkeys(str(t["stoppedReason"]) for t in ours))[:limit]

    def register_revision(
        self, base_task_definition: str, image: str, container_name: str, tags: dict[str, str]
    ) -> str:
        """Register a new revision of the base (template) task definition with `image` in
        `container_name`; everything else stays as the template declares it."""
        described = self._client.describe_task_definition(taskDefinition=base_task_definition)["taskDefinition"]
        request: dict[str, Any] = {key: described[key] for key in _REGISTRABLE if key in described}  # type: ignore[literal-required]
        containers = request["containerDefinitions"]
        names = [c["name"] for c in containers]
        if container_name not in names:
            raise LookupError(f"{base_task_definition} has no container {container_name} (has {', '.join(names)})")
        request["containerDefinitions"] = [
            {**c, "image": image} if c["name"] == container_name else c for c in containers
        ]
        request["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        registered = self._client.register_task_definition(**request)
        return registered["taskDefinition"]["taskDefinitionArn"]

    def image_of(self, task_definition: str, container_name: str) -> str:
        described = self._client.describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
        for container in described["containerDefinitions"]:
            if container["name"] == container_name:
                return container["image"]
        raise LookupError(f"{task_definition} has no container {container_name}")

    def update_service(self, cluster: str, service: str, *, task_definition: str | None = None, desired: int) -> None:
        arguments: dict[str, Any] = {"cluster": cluster, "service": service, "desiredCount": desired}
        if task_definition is not None:
            arguments["taskDefinition"] = task_definition
        self._client.update_service(**arguments)
