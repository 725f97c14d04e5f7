"""Which private ECR repository an image lives in, and whether the task execution role may pull it.

On Fargate the task execution role pulls the image: it needs `ecr:GetAuthorizationToken`
and `ecr:BatchGetImage` / `ecr:GetDownloadUrlForLayer` on the repository ("Using Amazon ECR
images with Amazon ECS", https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html).
A deployment of an image the role cannot pull would only fail as CannotPullContainerError,
minutes later, as a stabilization timeout; the shifter refuses it before anything changes.
Public ECR (`public.ecr.aws`) and other registries need no grant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Final

from cutover.shifter.logic.errors import InvalidInput

# The context key (cutover/config.py) that lists the repositories the execution role may pull.
ECR_REPOSITORIES_KEY: Final = "ecr_repositories"

# <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag][@sha256:digest]
# (private registry URIs, https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html).
_PRIVATE_ECR_IMAGE: Final = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d)"
    r"\.amazonaws\.com(?P<china>\.cn)?/(?P<repository>[a-z0-9][a-z0-9._/-]*?)"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)


@dataclass(frozen=True)
class EcrRepository:
    account: str
    region: str
    name: str

    @property
    def arn(self) -> str:
        return f"arn:{partition_of(self.region)}:ecr:{self.region}:{self.account}:repository/{self.name}"


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def private_ecr_repository(image: str) -> EcrRepository | None:
    """The private ECR repository of `image`, or None for public ECR and other registries."""
    match = _PRIVATE_ECR_IMAGE.fullmatch(image)
    if match is None:
        return None
    return EcrRepository(account=match["account"], region=match["region"], name=match["repository"])


def check_pullable(image: str, granted_arns: Iterable[str]) -> None:
    """Raise InvalidInput naming the context key when the execution role cannot pull `image`.

    `granted_arns` are repository ARNs; `*` in one (e.g. an account unknown offline) matches anything.
    """
    repository = private_ecr_repository(image)
    if repository is None:
        return
    granted = list(granted_arns)
    if any(fnmatchcase(repository.arn, pattern) for pattern in granted):
        return
    raise InvalidInput(
        f"image: {image} is in the private ECR repository {repository.arn}, which the task execution "
        f"role may not pull; add it to the context key '{ECR_REPOSITORIES_KEY}' and run cdk deploy "
        f"(granted: {', '.join(granted) if granted else 'none'})"
    )
