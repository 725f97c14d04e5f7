"""The private ECR repositories a service's task execution role may pull from, without CDK.

One list for the stack (cutover/cdk/image_pull.py grants it and writes it into the shifter's
environment) and for `cutover plan` offline, which checks an input's image against it.
"""

from __future__ import annotations

from collections.abc import Callable

from cutover.config import ECR_REPOSITORY_ARN, ServiceConfig
from cutover.shifter.logic.ecr_images import partition_of, private_ecr_repository


def offline_repository_patterns(config: ServiceConfig) -> list[str]:
    """The list without a stack (`cutover plan` offline): an unset account matches any."""
    partition = partition_of(config.region)
    account = config.account or "*"
    return repository_arns(config, lambda name: f"arn:{partition}:ecr:{config.region}:{account}:repository/{name}")


def repository_arns(config: ServiceConfig, arn_for_name: Callable[[str], str]) -> list[str]:
    """The image's own repository (when private ECR), the pipeline's, and `ecr_repositories`."""
    arns: list[str] = []
    image_repository = private_ecr_repository(config.image)
    if image_repository is not None:
        arns.append(image_repository.arn)
    names = [config.pipeline.repository] if config.pipeline is not None else []
    for entry in config.ecr_repositories:
        if ECR_REPOSITORY_ARN.match(entry):
            arns.append(entry)
        else:
            names.append(entry)
    arns.extend(arn_for_name(name) for name in dict.fromkeys(names))
    return list(dict.fromkeys(arns))
