"""A role's policies read from a template, with intrinsics resolved to what local AWS
created (cutover/local/template_roles.py). The physical ids are the ones CloudFormation
reports in describe_stack_resources; here they are written out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.local.template_roles import StackResolver, UnresolvableTemplate, function_identities, role_policies

ACCOUNT, REGION = "123456789012", "eu-west-1"


def statement(action: str, resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Policies": [
                    {"PolicyName": "inline", "PolicyDocument": document(statement("sns:Publish", {"Ref": "Topic"}))}
                ],
                "ManagedPolicyArns": [
                    {
                        "Fn::Join": [
                            "",
                            [
                                "arn:",
                                {"Ref": "AWS::Partition"},
                                ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                            ],
                        ]
                    },
                    {"Ref": "Managed"},
                ],
            },
        },
        "OtherRole": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "Default": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "Role"}],
                "PolicyDocument": document(
                    statement("dynamodb:GetItem", {"Fn::GetAtt": ["Table", "Arn"]}),
                    statement("logs:PutLogEvents", {"Fn::GetAtt": "Logs.Arn"}),
                    statement(
                        "ssm:GetParameters",
                        {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/x"},
                    ),
                ),
            },
        },
        "NotMine": {
            "Type": "AWS::IAM::Policy",
            "Properties": {"Roles": [{"Ref": "OtherRole"}], "PolicyDocument": document(statement("*", "*"))},
        },
        "Managed": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "PolicyDocument": document(
                    statement(
                        "states:SendTaskFailure",
                        {
                            "Fn::Sub": [
                                "arn:aws:states:${R}:${AWS::AccountId}:stateMachine:m",
                                {"R": {"Ref": "AWS::Region"}},
                            ]
                        },
                    )
                )
            },
        },
        "Function": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
    }
}
PHYSICAL = {
    "Role": "stack-Role-ABC",
    "OtherRole": "stack-OtherRole-DEF",
    "Topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:stack-Topic-1",
    "Table": "stack-Table-2",
    "Logs": "stack-Logs-3",
    "Default": "stack-Defa-4",
    "NotMine": "stack-NotM-5",
    "Managed": f"arn:aws:iam::{ACCOUNT}:policy/stack-Managed-6",
    "Function": "stack-Function-7",
}


def resolver(template: dict[str, Any] = TEMPLATE) -> StackResolver:
    return StackResolver(template, PHYSICAL, ACCOUNT, REGION, "stack")


def resources_of(policies: list[dict[str, Any]]) -> dict[str, Any]:
    return {s["Action"]: s["Resource"] for p in policies for s in p["Statement"] if isinstance(s["Action"], str)}


def test_inline_attached_and_managed_policies_are_all_read_and_resolved() -> None:
    policies = role_policies(TEMPLATE, "Role", resolver())
    resources = resources_of(policies)
    assert resources == {
        "sns:Publish": f"arn:aws:sns:{REGION}:{ACCOUNT}:stack-Topic-1",
        "dynamodb:GetItem": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/stack-Table-2",
        "logs:PutLogEvents": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:stack-Logs-3:*",
        "ssm:GetParameters": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/x",
        "states:SendTaskFailure": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:m",
    }
    basic = [s for p in policies for s in p["Statement"] if isinstance(s["Action"], list)]
    # AWSLambdaBasicExecutionRole, from aws_managed_policies (moto's CloudFormation drops it)
    assert basic == [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ]


def test_a_policy_attached_to_another_role_is_not_read() -> None:
    actions = [s["Action"] for p in role_policies(TEMPLATE, "Role", resolver()) for s in p["Statement"]]
    assert "*" not in actions
    assert [s["Action"] for p in role_policies(TEMPLATE, "OtherRole", resolver()) for s in p["Statement"]] == ["*"]


def test_an_aws_managed_policy_whose_document_is_not_copied_fails_loudly() -> None:
    template = {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
            }
        }
    }
    with pytest.raises(UnresolvableTemplate, match="AdministratorAccess"):
        role_policies(template, "Role", StackResolver(template, {"Role": "r"}, ACCOUNT, REGION, "stack"))


def test_an_attribute_without_a_known_arn_form_fails_loudly() -> None:
    template = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "Policies": [
                        {
                            "PolicyName": "p",
                            "PolicyDocument": document(statement("s3:GetObject", {"Fn::GetAtt": ["Bucket", "Arn"]})),
                        }
                    ]
                },
            },
        }
    }
    with pytest.raises(UnresolvableTemplate, match=r"AWS::S3::Bucket\.Arn"):
        role_policies(template, "Role", StackResolver(template, {"Role": "r", "Bucket": "b"}, ACCOUNT, REGION, "stack"))


def test_an_unknown_intrinsic_fails_loudly() -> None:
    with pytest.raises(UnresolvableTemplate, match="Fn::If"):
        resolver().resolve({"Fn::If": ["Cond", "a", "b"]})


def test_a_function_runs_as_its_role() -> None:
    identity = function_identities(TEMPLATE, resolver())["stack-Function-7"]
    assert identity.role_name == "stack-Role-ABC"
    assert identity.role_arn == f"arn:aws:iam::{ACCOUNT}:role/stack-Role-ABC"
    assert len(identity.policies) == 4
