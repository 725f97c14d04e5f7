"""The task execution role may pull private ECR images from the repositories Cutover deploys.

On Fargate, "the Amazon ECS, or Fargate, container agent must have permissions to make the
ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, and ecr:GetAuthorizationToken APIs … Use the
task execution IAM role" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html).
`ContainerImage.from_registry` grants nothing, so without this every deployment of an ECR image
ends in CannotPullContainerError. BatchCheckLayerAvailability is part of AWS's own
AmazonECSTaskExecutionRolePolicy. The shifter refuses a deploy from any other private repository
(shifter/logic/ecr_images.py), so the list is also in its environment.
"""

from __future__ import annotations

from aws_cdk import Annotations, Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from constructs import Construct

from cutover.cdk.iam_exceptions import UNSCOPABLE_ACTIONS
from cutover.config import ServiceConfig
from cutover.image_repositories import repository_arns
from cutover.shifter.logic.ecr_images import private_ecr_repository

PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
LOGIN_ACTION = "ecr:GetAuthorizationToken"


def pull_repository_arns(scope: Construct, config: ServiceConfig) -> list[str]:
    """The image's own repository (when private ECR), the pipeline's, and `ecr_repositories`."""
    stack = Stack.of(scope)
    return repository_arns(
        config, lambda name: stack.format_arn(service="ecr", resource="repository", resource_name=name)
    )


def grant_image_pull(role: iam.IRole, repository_arns: list[str]) -> None:
    if not repository_arns:
        return
    assert LOGIN_ACTION in UNSCOPABLE_ACTIONS
    role.add_to_principal_policy(iam.PolicyStatement(actions=[LOGIN_ACTION], resources=["*"]))
    role.add_to_principal_policy(iam.PolicyStatement(actions=PULL_ACTIONS, resources=repository_arns))


def acknowledge_granted_pull(container: ecs.ContainerDefinition, config: ServiceConfig) -> None:
    """CDK warns that a registry image from private ECR needs policies: grant_image_pull adds them."""
    if private_ecr_repository(config.image) is not None:
        Annotations.of(container).acknowledge_warning(
            "@aws-cdk/aws-ecs:ecrImageRequiresPolicy",
            "cutover/cdk/image_pull.py grants the execution role the pull on the image's repository",
        )
