"""Private ECR images: a deploy from a repository the execution role may not pull is refused
before anything changes; public and non-ECR images need no grant; and if the role still cannot
pull, ECS never starts the tasks and the deployment rolls back saying why."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from tests.workflow.conftest import local_cutover

UNLISTED = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/unlisted:v2"
LISTED = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"  # in LOCAL_ECR_REPOSITORIES


def test_a_deploy_from_an_ungranted_repository_fails_naming_the_key_and_changes_nothing(
    cutover: LocalCutover,
) -> None:
    revisions = cutover.client("ecs").list_task_definitions()["taskDefinitionArns"]
    execution = cutover.run({"image": UNLISTED, "strategy": "all-at-once"}, "unlisted")
    assert (execution.status, execution.error) == ("FAILED", "InvalidInput")
    assert execution.cause is not None
    assert "repository/unlisted" in execution.cause and "'ecr_repositories'" in execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0
    assert cutover.lock() is None and cutover.deployments() == []
    assert cutover.client("ecs").list_task_definitions()["taskDefinitionArns"] == revisions


def test_public_ecr_images_need_no_grant(cutover: LocalCutover) -> None:
    image = "public.ecr.aws/nginx/nginx:1.28-alpine"
    execution = cutover.run({"image": image, "strategy": "all-at-once", "bake_seconds": 0}, "public")
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.service("green")["image"] == image


def without_ecr_pull(template: dict[str, Any]) -> None:
    """Faked: the template's execution role loses its ECR statements before the stack is created,
    as every stack had before the pull grant (and as a role edited by hand would). The shifter's
    own list still names the repository, so validation passes and only ECS can notice."""
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        document = resource["Properties"]["PolicyDocument"]
        document["Statement"] = [
            s for s in document["Statement"] if not any(str(a).startswith("ecr:") for a in _actions(s))
        ]


def _actions(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else list(value)


@pytest.fixture
def cutover_without_pull(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: TestRouteStandIn
) -> Iterator[LocalCutover]:
    with local_cutover(monkeypatch, test_route, edit_template=without_ecr_pull) as local:
        yield local


def test_tasks_the_execution_role_cannot_pull_never_start_and_the_deployment_rolls_back(
    cutover_without_pull: LocalCutover,
) -> None:
    cutover = cutover_without_pull
    execution = cutover.run({"image": LISTED, "strategy": "all-at-once", "bake_seconds": 0}, "cannot-pull")
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack")
    assert execution.cause is not None
    assert "StabilizationTimeout" in execution.cause and "circuit breaker" in execution.cause
    # The cause says what ECS said about the tasks, naming the action the role lacks.
    assert "ResourceInitializationError: unable to pull secrets or registry auth" in execution.cause
    assert "not authorized to perform: ecr:GetAuthorizationToken" in execution.cause
    assert "Traffic is 100 % on blue" in execution.cause
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert cutover.service("green")["desired"] == 0
    assert cutover.lock() is None
    (record,) = cutover.deployments()
    assert record.outcome == "ROLLED_BACK" and "StabilizationTimeout" in (record.trigger or "")


def test_the_same_deploy_with_the_grant_succeeds(cutover: LocalCutover) -> None:
    execution = cutover.run({"image": LISTED, "strategy": "all-at-once", "bake_seconds": 0}, "can-pull")
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert cutover.weights() == {"blue": 0, "green": 100}
    assert cutover.service("green")["image"] == LISTED
