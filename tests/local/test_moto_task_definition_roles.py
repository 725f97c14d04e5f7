"""moto's CloudFormation keeps a task definition's roles (cutover/local/moto_task_definition_roles.py),
so the shifter's copy passes them and local IAM checks iam:PassRole as AWS does."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from cutover.local import moto_task_definition_roles

TEMPLATE = {
    "Resources": {
        "Execution": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        },
        "TaskDefinition": {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {
                "Family": "demo-blue",
                "ExecutionRoleArn": {"Fn::GetAtt": ["Execution", "Arn"]},
                "TaskRoleArn": {"Fn::GetAtt": ["Execution", "Arn"]},
                "ContainerDefinitions": [{"Name": "app", "Image": "nginx", "Memory": 512}],
            },
        },
    }
}


def test_a_task_definition_created_by_cloudformation_keeps_its_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    moto_task_definition_roles.apply()
    moto_task_definition_roles.apply()  # idempotent
    with mock_aws():
        boto3.client("cloudformation", region_name="eu-west-1").create_stack(
            StackName="s", TemplateBody=json.dumps(TEMPLATE), Capabilities=["CAPABILITY_IAM"]
        )
        role = boto3.client("iam", region_name="eu-west-1").list_roles()["Roles"][0]["Arn"]
        described = boto3.client("ecs", region_name="eu-west-1").describe_task_definition(taskDefinition="demo-blue")
    assert described["taskDefinition"]["executionRoleArn"] == role
    assert described["taskDefinition"]["taskRoleArn"] == role
