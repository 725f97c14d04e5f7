"""BlueGreenService: composes one service's constructs into the Cutover topology."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from constructs import Construct

from cutover.cdk.dashboard import Dashboard
from cutover.cdk.deployment_table import DeploymentTable
from cutover.cdk.image_pull import grant_image_pull, pull_repository_arns
from cutover.cdk.live_state import LiveState
from cutover.cdk.load_balancer import LoadBalancer
from cutover.cdk.network import Network
from cutover.cdk.notifications import Notifications
from cutover.cdk.service_side import ServiceSide, cluster_name
from cutover.cdk.side_alarms import SideAlarms
from cutover.cdk.supplied_image import SuppliedImage
from cutover.cdk.test_route import TestRoute
from cutover.config import ServiceConfig
from cutover.shifter.contract import SIDES

# A new stack starts with blue live (weight 100, desired count from config) and green idle.
SEED_LIVE_SIDE = "blue"


class BlueGreenService(Construct):
    """One service's blue and green sides behind one ALB, with their alarms and live state.

    `config` is the validated configuration (its fields are the props, documented on
    ServiceConfig). `vpc` and `cluster` put the service in a VPC and an ECS cluster the app
    already has; without them it gets its own (the VPC as `config` says). `container_image` is
    the image when `config.image` is "asset".
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ServiceConfig,
        vpc: ec2.IVpc | None = None,
        cluster: ecs.ICluster | None = None,
        container_image: SuppliedImage | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        if vpc is None and cluster is not None:
            vpc = cluster.vpc  # the tasks run in the cluster's VPC
        if vpc is not None and config.existing_vpc is not None:
            raise ValueError("give the VPC once: as an object (vpc, cluster) or in the configuration (existing_vpc)")
        self.network = Network(self, "Network", config=config, vpc=vpc)
        vpc = self.network.vpc
        if cluster is None:
            self.cluster: ecs.ICluster = ecs.Cluster(
                self,
                "Cluster",
                vpc=vpc,
                cluster_name=cluster_name(config.service_name),
                container_insights_v2=ecs.ContainerInsights.ENABLED,
            )
            cluster_resource_name = cluster_name(config.service_name)  # a literal: see ServiceSide.autoscale
        else:
            self.cluster = cluster
            cluster_resource_name = cluster.cluster_name
        self.load_balancer = LoadBalancer(self, "LoadBalancer", config=config, vpc=vpc)
        self.service_security_group = ec2.SecurityGroup(
            self, "ServiceSecurityGroup", vpc=vpc, description="Cutover service tasks", allow_all_outbound=True
        )
        # Only the ALB reaches the tasks, and only on the container port.
        self.service_security_group.connections.allow_from(
            self.load_balancer.security_group, ec2.Port.tcp(config.container_port), "ALB to service port"
        )
        self.execution_role = iam.Role(
            self, "ExecutionRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com")
        )
        self.pull_repository_arns = pull_repository_arns(self, config)
        grant_image_pull(self.execution_role, self.pull_repository_arns)
        self.task_role = iam.Role(self, "TaskRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))

        self.live_state = LiveState(self, "LiveState", service_name=config.service_name, local=config.local)
        self.sides = {
            side: ServiceSide(
                self,
                side.capitalize(),
                config=config,
                side=side,
                cluster=self.cluster,
                vpc=vpc,
                service_security_group=self.service_security_group,
                live_state=self.live_state,
                seed_live=side == SEED_LIVE_SIDE,
                execution_role=self.execution_role,
                task_role=self.task_role,
                cluster_name=cluster_resource_name,
                supplied_image=container_image,
            )
            for side in SIDES
        }
        target_groups = {side: self.sides[side].target_group for side in SIDES}
        self.load_balancer.route_production(target_groups, self.live_state)
        for side in SIDES:
            self.sides[side].autoscale(config, self.live_state, seed_live=side == SEED_LIVE_SIDE)
        self.test_route = TestRoute(
            self, "TestRoute", config=config, listener=self.load_balancer.listener, target_groups=target_groups
        )
        self.alarms = {
            side: SideAlarms(
                self,
                f"{side.capitalize()}Alarms",
                service_name=config.service_name,
                side=side,
                target_group=target_groups[side],
                thresholds=config.alarms,
            )
            for side in SIDES
        }
        self.deployments = DeploymentTable(self, "Deployments")
        self.notifications = Notifications(self, "Notifications", service_name=config.service_name)
        self.dashboard = Dashboard(self, "Dashboard", service_name=config.service_name, target_groups=target_groups)
