"""SNS topic for deployment notifications, encrypted with a customer-managed key."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


class Notifications(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, service_name: str) -> None:
        super().__init__(scope, construct_id)
        # A customer-managed key, because the AWS-managed SNS key cannot be used by
        # CloudWatch or EventBridge to publish.
        self.key = kms.Key(
            self, "Key", enable_key_rotation=True, description=f"Cutover {service_name} deployment notifications"
        )
        self.key.grant_encrypt_decrypt(iam.ServicePrincipal("cloudwatch.amazonaws.com"))
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=f"Cutover {service_name} deployments",
            master_key=self.key,
            enforce_ssl=True,
        )
