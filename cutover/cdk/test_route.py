"""The test route: `X-Canary-Version: <side>` reaches that side whatever the weights.

Protected so that nobody reaches the unreleased side by guessing the header: each rule
also requires the test-token header (a value generated at deploy time and kept in
Secrets Manager) and/or a source CIDR. These rules never change after deploy.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import SecretValue
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from cutover.config import ServiceConfig
from cutover.shifter.contract import SIDES, Side

CANARY_HEADER = "X-Canary-Version"
TOKEN_HEADER = "X-Cutover-Test-Token"
# moto cannot resolve dynamic references; the local template uses this token instead.
LOCAL_TEST_TOKEN = "cutover-local-test-token"
FIRST_PRIORITY = 1


class TestRoute(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ServiceConfig,
        listener: elbv2.IApplicationListener,
        target_groups: Mapping[Side, elbv2.IApplicationTargetGroup],
    ) -> None:
        super().__init__(scope, construct_id)
        self.token_secret: secretsmanager.Secret | None = None
        token_value: str | None = None
        if config.test_token:
            generated = secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=40)
            self.token_secret = secretsmanager.Secret(
                self,
                "Token",
                description=f"Cutover {config.service_name}: the {TOKEN_HEADER} value the test route requires",
                secret_string_value=SecretValue.unsafe_plain_text(LOCAL_TEST_TOKEN) if config.local else None,
                generate_secret_string=None if config.local else generated,
            )
            NagSuppressions.add_resource_suppressions(
                self.token_secret,
                [
                    NagPackSuppression(
                        id="AwsSolutions-SMG4",
                        reason="The token is also a listener-rule condition value; it is rotated by replacing "
                        "the secret in a deploy, which updates both together. A Lambda rotation would "
                        "desynchronise them.",
                    )
                ],
            )
            token_value = LOCAL_TEST_TOKEN if config.local else self.token_secret.secret_value.unsafe_unwrap()

        self.rules: dict[str, elbv2.ApplicationListenerRule] = {}
        for offset, side in enumerate(SIDES):
            conditions = [elbv2.ListenerCondition.http_header(CANARY_HEADER, [side])]
            if token_value is not None:
                conditions.append(elbv2.ListenerCondition.http_header(TOKEN_HEADER, [token_value]))
            if config.test_route_cidrs:
                conditions.append(elbv2.ListenerCondition.source_ips(list(config.test_route_cidrs)))
            self.rules[side] = elbv2.ApplicationListenerRule(
                self,
                f"{side.capitalize()}Rule",
                listener=listener,
                priority=FIRST_PRIORITY + offset,
                conditions=conditions,
                action=elbv2.ListenerAction.forward([target_groups[side]]),
            )
