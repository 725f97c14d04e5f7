"""The VPC: the app's own (an IVpc), an existing one described by attributes (no account lookups), or a new one."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from cutover.config import NEW_VPC_CIDR, ServiceConfig


class Network(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: ServiceConfig, vpc: ec2.IVpc | None = None
    ) -> None:
        super().__init__(scope, construct_id)
        if vpc is not None:
            self.vpc: ec2.IVpc = vpc
            return
        existing = config.existing_vpc
        if existing is not None:
            self.vpc = ec2.Vpc.from_vpc_attributes(
                self,
                "Vpc",
                vpc_id=existing.vpc_id,
                availability_zones=list(existing.availability_zones),
                public_subnet_ids=list(existing.public_subnet_ids),
                private_subnet_ids=list(existing.private_subnet_ids),
            )
            return
        vpc = ec2.Vpc(
            self,
            "Vpc",
            # The AZs come from config or deploy time (CutoverStack.availability_zones), never a lookup.
            availability_zones=list(config.availability_zones) or None,
            max_azs=None if config.availability_zones else config.max_azs,
            ip_addresses=ec2.IpAddresses.cidr(NEW_VPC_CIDR),
            nat_gateways=config.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22),
            ],
            # The restriction is a Lambda-backed custom resource, which moto cannot run.
            restrict_default_security_group=not config.local,
        )
        flow_logs = logs.LogGroup(self, "FlowLogs", retention=logs.RetentionDays.ONE_MONTH)
        vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
        self.vpc = vpc
