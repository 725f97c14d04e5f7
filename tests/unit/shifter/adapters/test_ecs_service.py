"""The ECS adapter against moto: a cluster, a template task definition and the two services."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.shifter.adapters.ecs_service import EcsServices
from cutover.shifter.adapters.transient import is_transient
from cutover.shifter.logic.observed import ServiceStatus
from tests.unit.shifter.adapters.aws_answers import answer_with_error
from tests.unit.shifter.readers.moto_clients import client

CLUSTER = "cluster"


def cluster() -> Any:
    ecs = client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(
        family="app-green-td",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": "app:v1", "essential": True, "memory": 384},
            {"name": "log-router", "image": "fluent-bit:2", "essential": False, "memory": 128},
        ],
    )
    ecs.create_service(cluster=CLUSTER, serviceName="app-green", taskDefinition="app-green-td:1", desiredCount=2)
    return ecs


def test_a_new_revision_changes_only_the_image_of_the_named_container_and_carries_the_tags() -> None:
    ecs = cluster()
    adapter = EcsServices(ecs)
    arn = adapter.register_revision("app-green-td:1", "app:v2", "app", {"cutover:execution": "deploy-1"})

    assert arn.endswith("task-definition/app-green-td:2")
    assert adapter.image_of(arn, "app") == "app:v2"
    assert adapter.image_of(arn, "log-router") == "fluent-bit:2"
    described = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    assert described["taskDefinition"]["cpu"] == "256" and described["taskDefinition"]["networkMode"] == "awsvpc"
    assert described["tags"] == [{"key": "cutover:execution", "value": "deploy-1"}]


def test_a_container_the_template_does_not_have_is_named_in_the_error() -> None:
    adapter = EcsServices(cluster())
    with pytest.raises(LookupError, match=r"no container web \(has app, log-router\)"):
        adapter.register_revision("app-green-td:1", "app:v2", "web", {})
    with pytest.raises(LookupError, match="no container web"):
        adapter.image_of("app-green-td:1", "web")


def test_an_update_sets_the_count_and_the_revision_and_describe_reads_them() -> None:
    ecs = cluster()
    adapter = EcsServices(ecs)
    revision = adapter.register_revision("app-green-td:1", "app:v2", "app", {})
    adapter.update_service(CLUSTER, "app-green", task_definition=revision, desired=3)
    status = adapter.describe_service(CLUSTER, "app-green")
    assert (status.desired, status.task_definition, status.rollout_failed) == (3, revision, False)
    assert status.deployments >= 1

    adapter.update_service(CLUSTER, "app-green", desired=0)  # scale only: the revision stays
    assert adapter.describe_service(CLUSTER, "app-green").task_definition == revision


def test_a_failed_rollout_and_a_second_deployment_are_visible() -> None:
    """moto keeps one deployment and no rolloutState; ECS reports both while a rollout is in
    progress, FAILED when the circuit breaker gives up (ECS API reference, Deployment)."""
    ecs = cluster()

    def mid_rollout(parsed: dict[str, Any], **_: Any) -> None:
        service = parsed["services"][0]
        service["deployments"] = [
            {"status": "PRIMARY", "rolloutState": "FAILED"},
            {"status": "ACTIVE", "rolloutState": "COMPLETED"},
        ]
        service["runningCount"], service["pendingCount"] = 1, 1

    ecs.meta.events.register("after-call.ecs.DescribeServices", mid_rollout)
    assert EcsServices(ecs).describe_service(CLUSTER, "app-green") == ServiceStatus(
        desired=2,
        running=1,
        pending=1,
        task_definition=ecs.describe_services(cluster=CLUSTER, services=["app-green"])["services"][0]["taskDefinition"],
        deployments=2,
        rollout_failed=True,
    )


def test_a_missing_service_is_named() -> None:
    ecs = cluster()
    with pytest.raises(LookupError, match="ECS service app-blue not found in cluster cluster"):
        EcsServices(ecs).describe_service(CLUSTER, "app-blue")


def test_stopped_task_reasons_are_the_services_own_newest_first_without_repeats() -> None:
    ecs = cluster()
    adapter = EcsServices(ecs)
    assert adapter.stopped_task_reasons(CLUSTER, "app-green") == []

    # moto 5.2.5 cannot run an awsvpc task (its NetworkInterface lacks private_dns_name), so
    # these run a bridge-mode revision: the adapter reads only each task's group and stoppedReason.
    ecs.register_task_definition(
        family="app-green-td",
        networkMode="bridge",
        containerDefinitions=[{"name": "app", "image": "app:v1", "essential": True, "memory": 512}],
    )

    def run(group: str) -> str:
        task = ecs.run_task(
            cluster=CLUSTER,
            taskDefinition="app-green-td:2",
            launchType="FARGATE",
            group=group,
        )
        arn: str = task["tasks"][0]["taskArn"]
        return arn

    reasons = ["CannotPullContainerError: app:v2 not found", "Essential container exited", "Essential container exited"]
    for reason in reasons:
        ecs.stop_task(cluster=CLUSTER, task=run("service:app-green"), reason=reason)
    ecs.stop_task(cluster=CLUSTER, task=run("family:app-green-td"), reason="someone else's task")
    run("service:app-green")  # still running: not a reason

    found = adapter.stopped_task_reasons(CLUSTER, "app-green")
    assert set(found) == {"CannotPullContainerError: app:v2 not found", "Essential container exited"}
    assert len(found) == 2  # the repeated reason once
    assert adapter.stopped_task_reasons(CLUSTER, "app-green", limit=1) == [found[0]]


def test_a_throttled_update_surfaces_as_a_transient_error() -> None:
    ecs = cluster()
    answer_with_error(ecs, "UpdateService", "ThrottlingException")
    with pytest.raises(Exception) as raised:
        EcsServices(ecs).update_service(CLUSTER, "app-green", desired=0)
    assert is_transient(raised.value)
    assert ecs.describe_services(cluster=CLUSTER, services=["app-green"])["services"][0]["desiredCount"] == 2
