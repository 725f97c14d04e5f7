"""Configurations AWS would reject, or that would silently misbehave there, stop synth.

Each case names the AWS rule it follows (docs/aws-fidelity.md, "Configurations AWS rejects").
"""

from __future__ import annotations

from typing import Any

import pytest

from cutover.config import ConfigError, ServiceConfig, load_config


def only_service(context: dict[str, Any]) -> ServiceConfig:
    (service,) = load_config(context).services
    return service


def config_error(context: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as raised:
        load_config(context)
    return str(raised.value)


# ---------------------------------------------------------------- CDK context providers
def test_context_provider_results_are_not_mistaken_for_keys() -> None:
    # What the CDK CLI passes back after a lookup with a concrete account (cdk.context.json).
    context = {
        "account": "123456789012",
        "availability-zones:account=123456789012:region=eu-west-1": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "vpc-provider:account=123456789012:filter.vpc-id=vpc-1:region=eu-west-1": {"vpcId": "vpc-1"},
    }
    assert only_service(context).account == "123456789012"


def test_a_misspelt_key_is_still_refused() -> None:
    assert "invalid context key 'acount'" in config_error({"acount": "123456789012"})


def test_availability_zones_name_zones_of_the_region() -> None:
    service = only_service({"availability_zones": "eu-west-1a,eu-west-1b,eu-west-1c"})
    assert service.availability_zones == ("eu-west-1a", "eu-west-1b", "eu-west-1c")
    assert "'availability_zones': not zones of eu-west-1: us-east-1a" in config_error(
        {"availability_zones": ["eu-west-1a", "us-east-1a"]}
    )
    assert "'availability_zones'" in config_error({"availability_zones": ["eu-west-1a", "eu-west-1a"]})


def test_more_than_two_zones_need_their_names() -> None:
    # Without names the AZs come from Fn::GetAZs at deploy time, two of them, as CDK renders an
    # env-agnostic stack; a silent third AZ that never appears is refused instead.
    assert "'max_azs'" in config_error({"max_azs": 3})
    assert only_service({"max_azs": 3, "availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"]})


# ---------------------------------------------------------------- ALB rule condition values
def test_at_most_three_test_route_cidrs() -> None:
    three = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    assert only_service({"test_route_cidrs": three, "internet_facing": False}).test_route_cidrs == tuple(three)
    message = config_error({"test_route_cidrs": [*three, "203.0.113.0/24"], "internet_facing": False})
    assert "'test_route_cidrs': at most 3 CIDR blocks" in message


# ---------------------------------------------------------------- CloudWatch alarm periods
@pytest.mark.parametrize("period", [10, 20, 30, 90])
def test_alarm_periods_are_whole_minutes(period: int) -> None:
    # ALB metrics arrive every 60 s: a shorter period misses data points and never alarms.
    assert "'alarms.period_seconds'" in config_error({"alarms": {"period_seconds": period}})


def test_alarm_periods_of_whole_minutes_are_accepted() -> None:
    assert only_service({"alarms": {"period_seconds": 120, "evaluation_periods": 3}}).alarms.period_seconds == 120


@pytest.mark.parametrize(
    ("period", "evaluations", "accepted"),
    [
        (1_800, 48, True),  # exactly one day
        (1_800, 49, False),  # over a day with a period under an hour
        (3_600, 60, True),  # 2.5 days: an hour or longer may reach seven days
        (86_400, 7, True),  # exactly seven days
        (86_400, 8, False),
    ],
)
def test_evaluation_range_within_cloudwatchs_limit(period: int, evaluations: int, accepted: bool) -> None:
    context = {"alarms": {"period_seconds": period, "evaluation_periods": evaluations}}
    if accepted:
        assert only_service(context).alarms.evaluation_periods == evaluations
    else:
        assert "'alarms.evaluation_periods': period_seconds x evaluation_periods" in config_error(context)


# ---------------------------------------------------------------- smoke tests reach the side under test
def test_cidrs_with_an_internet_facing_alb_are_refused() -> None:
    # The shifter's Lambda runs outside the VPC then: its address is in no CIDR anyone can name,
    # so its smoke tests would fall through to the default action, the live side.
    message = config_error({"test_route_cidrs": ["203.0.113.0/24"]})
    assert "'test_route_cidrs': with an internet-facing ALB" in message


def test_cidrs_must_contain_the_vpc_the_shifter_calls_from() -> None:
    assert "'test_route_cidrs': none contains the VPC's 10.0.0.0/16" in config_error(
        {"internet_facing": False, "test_route_cidrs": ["10.0.0.0/24"]}
    )
    assert only_service({"internet_facing": False, "test_route_cidrs": ["10.0.0.0/16"]})


def test_an_existing_vpc_with_cidrs_names_its_cidr() -> None:
    vpc = {
        "vpc_id": "vpc-0123456789abcdef0",
        "availability_zones": ["eu-west-1a", "eu-west-1b"],
        "public_subnet_ids": ["subnet-00000001", "subnet-00000002"],
        "private_subnet_ids": ["subnet-00000003", "subnet-00000004"],
    }
    context = {"internet_facing": False, "existing_vpc": vpc, "test_route_cidrs": ["172.31.0.0/16"]}
    assert "existing_vpc.cidr_block" in config_error(context)
    assert only_service({**context, "existing_vpc": {**vpc, "cidr_block": "172.31.0.0/16"}})
    assert "none contains" in config_error({**context, "existing_vpc": {**vpc, "cidr_block": "10.1.0.0/16"}})
