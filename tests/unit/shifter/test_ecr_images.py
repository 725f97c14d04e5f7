"""Which images need an ECR pull grant, and the one-line refusal when the role lacks it."""

from __future__ import annotations

import pytest

from cutover.shifter.logic.ecr_images import EcrRepository, check_pullable, private_ecr_repository
from cutover.shifter.logic.errors import InvalidInput

DIGEST = "sha256:" + "0123456789abcdef" * 4
APP_ARN = "arn:aws:ecr:eu-west-1:123456789012:repository/app"


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2", EcrRepository("123456789012", "eu-west-1", "app")),
        (
            f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@{DIGEST}",
            EcrRepository("123456789012", "eu-west-1", "app"),
        ),
        (
            f"210987654321.dkr.ecr.us-east-1.amazonaws.com/team/api:v1@{DIGEST}",
            EcrRepository("210987654321", "us-east-1", "team/api"),
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:v1",
            EcrRepository("123456789012", "us-gov-west-1", "app"),
        ),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:v1", EcrRepository("123456789012", "cn-north-1", "app")),
        ("public.ecr.aws/nginx/nginx:1.27-alpine", None),
        ("nginx:1.27", None),
        ("ghcr.io/org/app:v1", None),
    ],
)
def test_only_private_ecr_images_have_a_repository_to_grant(image: str, repository: EcrRepository | None) -> None:
    assert private_ecr_repository(image) == repository


def test_repository_arns_carry_the_partition_of_their_region() -> None:
    assert EcrRepository("123456789012", "eu-west-1", "app").arn == APP_ARN
    assert (
        EcrRepository("123456789012", "cn-north-1", "a/b").arn
        == "arn:aws-cn:ecr:cn-north-1:123456789012:repository/a/b"
    )
    assert EcrRepository("123456789012", "us-gov-west-1", "app").arn.startswith("arn:aws-us-gov:ecr:")


def test_a_granted_repository_passes_and_public_images_need_no_grant() -> None:
    check_pullable("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2", [APP_ARN])
    check_pullable("public.ecr.aws/nginx/nginx:1.27-alpine", [])
    check_pullable("docker.io/library/nginx:1.27", [])


def test_an_ungranted_repository_is_refused_naming_the_context_key() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_pullable("123456789012.dkr.ecr.eu-west-1.amazonaws.com/other:v2", [APP_ARN])
    message = str(caught.value)
    assert message.startswith("image: ")
    assert "arn:aws:ecr:eu-west-1:123456789012:repository/other" in message
    assert "'ecr_repositories'" in message and APP_ARN in message


def test_the_same_name_in_another_account_or_region_is_not_granted() -> None:
    for image in (
        "210987654321.dkr.ecr.eu-west-1.amazonaws.com/app:v2",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app/sub:v2",
    ):
        with pytest.raises(InvalidInput):
            check_pullable(image, [APP_ARN])


def test_an_unknown_account_offline_matches_any_account_but_not_another_name() -> None:
    pattern = "arn:aws:ecr:eu-west-1:*:repository/app"
    check_pullable("210987654321.dkr.ecr.eu-west-1.amazonaws.com/app:v2", [pattern])
    with pytest.raises(InvalidInput):
        check_pullable("210987654321.dkr.ecr.eu-west-1.amazonaws.com/shop:v2", [pattern])
