"""Local AWS refuses what AWS refuses and moto alone accepts (cutover/local/aws_limits.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from cutover.local import moto_patches

REGION = "eu-west-1"


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    moto_patches.apply()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"][
                "SubnetId"
            ]
            for i, z in enumerate("ab")
        ]
        elbv2 = boto3.client("elbv2", region_name=REGION)
        alb = elbv2.create_load_balancer(Name="alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        group = elbv2.create_target_group(Name="tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
        group_arn = group["TargetGroups"][0]["TargetGroupArn"]
        forward: list[Any] = [{"Type": "forward", "TargetGroupArn": group_arn}]
        listener = elbv2.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=80, DefaultActions=forward)
        yield {
            "elbv2": elbv2,
            "cloudwatch": boto3.client("cloudwatch", region_name=REGION),
            "listener": listener["Listeners"][0]["ListenerArn"],
            "forward": forward,
        }


def header(name: str, *values: str) -> dict[str, Any]:
    return {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": name, "Values": list(values)}}


def source_ips(*cidrs: str) -> dict[str, Any]:
    return {"Field": "source-ip", "SourceIpConfig": {"Values": list(cidrs)}}


def create_rule(aws: dict[str, Any], conditions: list[dict[str, Any]]) -> None:
    aws["elbv2"].create_rule(ListenerArn=aws["listener"], Priority=1, Conditions=conditions, Actions=aws["forward"])


def test_a_test_route_rule_of_five_values_is_accepted(aws: dict[str, Any]) -> None:
    create_rule(
        aws,
        [
            header("X-Canary-Version", "green"),
            header("X-Token", "t"),
            source_ips("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
        ],
    )


def test_six_condition_values_in_a_rule_are_refused(aws: dict[str, Any]) -> None:
    # The audit's case: the canary header, the token and four CIDRs.
    conditions = [
        header("X-Canary-Version", "green"),
        header("X-Token", "t"),
        source_ips("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
    ]
    conditions.append(header("X-Other", "x"))
    with pytest.raises(ClientError, match="A rule can only have '5' condition values"):
        create_rule(aws, conditions)


def test_four_values_in_one_condition_are_refused(aws: dict[str, Any]) -> None:
    with pytest.raises(ClientError, match="A condition can only have '3' values"):
        create_rule(
            aws,
            [
                header("X-Canary-Version", "green"),
                source_ips("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "203.0.113.0/24"),
            ],
        )


def put_alarm(aws: dict[str, Any], period: int, evaluation_periods: int) -> None:
    aws["cloudwatch"].put_metric_alarm(
        AlarmName="a",
        Namespace="AWS/ApplicationELB",
        MetricName="HTTPCode_Target_5XX_Count",
        Statistic="Sum",
        Period=period,
        EvaluationPeriods=evaluation_periods,
        Threshold=5,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


@pytest.mark.parametrize(("period", "evaluations"), [(10, 2), (60, 1_440), (3_600, 168)])
def test_alarm_periods_aws_accepts(aws: dict[str, Any], period: int, evaluations: int) -> None:
    put_alarm(aws, period, evaluations)


@pytest.mark.parametrize(("period", "evaluations"), [(45, 2), (60, 1_441), (3_600, 169)])
def test_alarm_periods_aws_refuses(aws: dict[str, Any], period: int, evaluations: int) -> None:
    with pytest.raises(ClientError, match="ValidationError"):
        put_alarm(aws, period, evaluations)
