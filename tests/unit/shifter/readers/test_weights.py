"""The listener-weights reader, and what each caller decides about a foreign target group:
the Lambda refuses to act (InconsistentTraffic), the CLI shows the share as `unknown`."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.cli.render import weight_bar
from cutover.cli.views import shown_weights
from cutover.shifter.adapters.load_balancer import ElbLoadBalancer
from cutover.shifter.logic.errors import InconsistentTraffic
from cutover.shifter.readers.weights import ListenerWeights, read_weights
from tests.unit.shifter.readers.moto_clients import client


def load_balancer() -> tuple[Any, dict[str, str]]:
    """An ALB with Cutover's two target groups and someone else's; returns the client and ARNs."""
    ec2, elbv2 = client("ec2"), client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"eu-west-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    alb = elbv2.create_load_balancer(Name="demo", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    arns = {
        name: elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for name in ("blue", "green", "foreign")
    }
    arns["listener"] = elbv2.create_listener(
        LoadBalancerArn=alb, Protocol="HTTP", Port=80, DefaultActions=[forward({arns["blue"]: 100})]
    )["Listeners"][0]["ListenerArn"]
    return elbv2, arns


def forward(weights: dict[str, int]) -> dict[str, Any]:
    groups = [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in weights.items()]
    return {"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}


def sides(arns: dict[str, str]) -> dict[str, str]:
    return {"blue": arns["blue"], "green": arns["green"]}


def test_each_side_reads_its_weight_and_a_side_left_out_reads_zero() -> None:
    elbv2, arns = load_balancer()
    assert read_weights(elbv2, arns["listener"], sides(arns)) == ListenerWeights(
        sides={"blue": 100, "green": 0}, foreign={}, forwards=1
    )
    assert ElbLoadBalancer(elbv2).read_weights(arns["listener"], sides(arns)) == {"blue": 100, "green": 0}


def test_a_foreign_target_group_is_an_error_for_the_lambda_and_unknown_for_the_cli() -> None:
    elbv2, arns = load_balancer()
    elbv2.modify_listener(
        ListenerArn=arns["listener"], DefaultActions=[forward({arns["blue"]: 90, arns["foreign"]: 10})]
    )

    read = read_weights(elbv2, arns["listener"], sides(arns))
    assert (read.sides, read.foreign, read.unknown) == ({"blue": 90, "green": 0}, {arns["foreign"]: 10}, 10)

    with pytest.raises(InconsistentTraffic, match="does not own"):
        ElbLoadBalancer(elbv2).read_weights(arns["listener"], sides(arns))

    shown = shown_weights(read.sides, read.unknown)
    assert shown == {"blue": 90, "green": 0, "unknown": 10}
    assert "unknown 10 %" in weight_bar(shown).plain


def test_a_listener_without_one_forward_is_an_error_for_the_lambda() -> None:
    elbv2, arns = load_balancer()
    fixed = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503"}}
    elbv2.modify_listener(ListenerArn=arns["listener"], DefaultActions=[fixed])

    read = read_weights(elbv2, arns["listener"], sides(arns))
    assert (read.sides, read.forwards) == ({"blue": 0, "green": 0}, 0)
    with pytest.raises(InconsistentTraffic, match="not one weighted forward"):
        read.owned()
