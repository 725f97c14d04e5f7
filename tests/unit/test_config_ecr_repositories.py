"""The `ecr_repositories` context key: repository names in the stack's account, or ARNs."""

from __future__ import annotations

import pytest

from cutover.config import ConfigError, load_config


def test_names_and_arns_are_accepted_as_json_or_comma_separated() -> None:
    arn = "arn:aws:ecr:us-east-1:210987654321:repository/team/api"
    assert load_config({"ecr_repositories": f'["app", "{arn}"]'}).services[0].ecr_repositories == ("app", arn)
    assert load_config({"ecr_repositories": "app, shop"}).services[0].ecr_repositories == ("app", "shop")
    assert load_config({}).services[0].ecr_repositories == ()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", "not its URI"),
        ("App", "not an ECR repository name or ARN"),
        ("arn:aws:ecr:eu-west-1:123456789012:repository/Bad_", "not an ECR repository name or ARN"),
        ("arn:aws:s3:::bucket", "not an ECR repository name or ARN"),
        (",".join(f"repo{index}" for index in range(21)), "at most 20 repositories"),
    ],
)
def test_invalid_repositories_stop_synth_naming_the_key(value: str, says: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"ecr_repositories": value})
    assert "invalid context key 'ecr_repositories" in str(raised.value)
    assert says in str(raised.value)
