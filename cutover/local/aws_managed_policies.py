"""The documents of the AWS managed policies our templates attach.

moto's CloudFormation drops a role's ManagedPolicyArns, and moto's IAM knows these
policies only by name, so the documents are copied here from AWS's managed-policy
reference (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html),
at the default version shown. A template that attaches a managed policy not listed here
fails loudly (template_roles.UnresolvableTemplate): copy its document, do not guess it.
"""

from __future__ import annotations

from typing import Any

AWS_MANAGED_POLICIES: dict[str, dict[str, Any]] = {
    # v1 (default), edited 2015-04-09.
    "service-role/AWSLambdaBasicExecutionRole": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            }
        ],
    },
    # v3 (default), edited 2024-01-05.
    "service-role/AWSLambdaVPCAccessExecutionRole": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSLambdaVPCAccessExecutionPermissions",
                "Effect": "Allow",
                "Action": [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                "Resource": "*",
            }
        ],
    },
    # v1 (default), edited 2019-11-16.
    "service-role/AmazonECSTaskExecutionRolePolicy": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ],
    },
}


def managed_policy_name(arn: str) -> str | None:
    """`service-role/AWSLambdaBasicExecutionRole` for an AWS managed policy ARN, else None."""
    prefix = ":iam::aws:policy/"
    return arn.split(prefix, 1)[1] if arn.startswith("arn:") and prefix in arn else None
