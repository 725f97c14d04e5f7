"""With internet_facing=false the shifter's functions run in the VPC: their own roles must let
Lambda create and delete the functions' network interfaces (CDK adds nothing to a role it did
not create)."""

from __future__ import annotations

from typing import Any

from cutover.cdk.iam_exceptions import UNSCOPABLE_ACTIONS
from cutover.cdk.shifter_functions import VPC_NETWORK_INTERFACE_ACTIONS
from cutover.local.iam_policy import evaluate
from tests.infra.test_shifter import actions, role_statements
from tests.synth import resources_of_type, synth

STACK = "cutover-demo"
# What Lambda's service calls with the function's role when it sets up the VPC connection.
ENI_REQUESTS = [
    ("ec2:CreateNetworkInterface", "arn:aws:ec2:eu-west-1:123456789012:network-interface/*"),
    ("ec2:DescribeNetworkInterfaces", "*"),
    ("ec2:DeleteNetworkInterface", "arn:aws:ec2:eu-west-1:123456789012:network-interface/eni-0123456789abcdef0"),
]


def function_roles(template: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Handler -> (role logical id, attached to a VPC) for the shifter's functions."""
    return {
        function["Properties"]["Handler"]: (
            function["Properties"]["Role"]["Fn::GetAtt"][0],
            "VpcConfig" in function["Properties"],
        )
        for function in resources_of_type(template, "AWS::Lambda::Function").values()
        if str(function["Properties"].get("Handler", "")).startswith("cutover.shifter.")
    }


def unscoped_policy(template: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    """The role's statements on "*" (the only ones the ENI calls can match), as one document."""
    statements = [s for s in role_statements(template, role_id) if s["Resource"] == "*"]
    return [{"Version": "2012-10-17", "Statement": statements}]


def test_functions_in_the_vpc_may_manage_their_network_interfaces() -> None:
    template = synth(internet_facing=False)[STACK]
    roles = function_roles(template)
    assert len(roles) == 3 and all(in_vpc for _, in_vpc in roles.values())
    for role_id, _ in roles.values():
        policies = unscoped_policy(template, role_id)
        for action, resource in ENI_REQUESTS:
            assert evaluate(policies, action, resource).allowed, (role_id, action)


def test_functions_outside_a_vpc_get_no_ec2_permission() -> None:
    template = synth()[STACK]
    for role_id, in_vpc in function_roles(template).values():
        assert not in_vpc
        granted = {a for s in role_statements(template, role_id) for a in actions(s)}
        assert not granted & set(VPC_NETWORK_INTERFACE_ACTIONS)


def test_the_internal_variant_grants_on_any_resource_only_the_listed_exceptions() -> None:
    template = synth(internet_facing=False)[STACK]
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Resource"] == "*":
                assert set(actions(statement)) <= set(UNSCOPABLE_ACTIONS), actions(statement)
