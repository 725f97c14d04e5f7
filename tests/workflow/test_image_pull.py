"""Private ECR images: a deploy from a repository the execution role may not pull is refused
before anything changes; public and non-ECR images need no grant."""

from __future__ import annotations

from cutover.local.runtime import LocalCutover

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
