"""The ALB: public (or internal) entry, access logs, the production listener.

Production routing lives in exactly one place, the production listener's default
action: a weighted forward to the two target groups whose weights are read from the
live state (cutover/cdk/live_state.py). It is the only thing the shifter changes.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cutover.cdk.live_state import LiveState
from cutover.config import ServiceConfig
from cutover.shifter.contract import SIDES, LiveKey, Side


class LoadBalancer(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: ServiceConfig, vpc: ec2.IVpc) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, description="Cutover ALB", allow_all_outbound=False
        )
        listen_port = 443 if config.certificate_arn else 80
        peer = ec2.Peer.any_ipv4() if config.internet_facing else ec2.Peer.ipv4(vpc.vpc_cidr_block)
        self.security_group.add_ingress_rule(peer, ec2.Port.tcp(listen_port), "production and test traffic")
        if config.certificate_arn:
            self.security_group.add_ingress_rule(peer, ec2.Port.tcp(80), "HTTP, redirected to HTTPS")

        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            # ALB access logging supports SSE-S3 only.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(expiration=Duration.days(90), noncurrent_version_expiration=Duration.days(7))
            ],
        )
        self.alb = elbv2.ApplicationLoadBalancer(
            self,
            "Alb",
            vpc=vpc,
            internet_facing=config.internet_facing,
            security_group=self.security_group,
            vpc_subnets=ec2.SubnetSelection(
                subnet_type=ec2.SubnetType.PUBLIC if config.internet_facing else ec2.SubnetType.PRIVATE_WITH_EGRESS
            ),
            drop_invalid_header_fields=True,
        )
        self.alb.log_access_logs(self.access_logs, prefix="alb")

        if config.certificate_arn:
            certificate = acm.Certificate.from_certificate_arn(self, "Certificate", config.certificate_arn)
            self.listener = self.alb.add_listener(
                "Https",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[elbv2.ListenerCertificate.from_certificate_manager(certificate)],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                open=False,
            )
            self.alb.add_redirect(source_port=80, target_port=443)
        else:
            self.listener = self.alb.add_listener(
                "Http",
                port=80,
                protocol=elbv2.ApplicationProtocol.HTTP,
                open=False,
            )
        scheme = "https" if config.certificate_arn else "http"
        host = config.domain.domain_name if config.domain else self.alb.load_balancer_dns_name
        self.base_url = f"{scheme}://{host}"

        if config.domain is not None:
            zone = route53.HostedZone.from_hosted_zone_attributes(
                self, "Zone", hosted_zone_id=config.domain.hosted_zone_id, zone_name=config.domain.hosted_zone_name
            )
            route53.ARecord(
                self,
                "Alias",
                zone=zone,
                record_name=config.domain.domain_name,
                target=route53.RecordTarget.from_alias(route53_targets.LoadBalancerTarget(self.alb)),
            )

    def route_production(
        self, target_groups: Mapping[Side, elbv2.IApplicationTargetGroup], live_state: LiveState
    ) -> None:
        """Make the listener's default action the weighted forward read from the live state."""
        stickiness = Duration.seconds(self._config.stickiness_seconds) if self._config.stickiness else None
        # Registered through CDK so the target groups know their load balancer (metrics,
        # request-count scaling); then the weights are replaced by live-state references.
        self.listener.add_action(
            "Production",
            action=elbv2.ListenerAction.weighted_forward(
                [elbv2.WeightedTargetGroup(target_group=target_groups[side], weight=0) for side in SIDES],
                stickiness_duration=stickiness,
            ),
        )
        cfn_listener = self.listener.node.default_child
        assert isinstance(cfn_listener, elbv2.CfnListener)
        for index, side in enumerate(SIDES):
            weight = live_state.seed(side, LiveKey.WEIGHT, 100 if side == "blue" else 0)
            cfn_listener.add_property_override(f"DefaultActions.0.ForwardConfig.TargetGroups.{index}.Weight", weight)
