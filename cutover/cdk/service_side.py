"""One side (blue or green): task definition, log group, Fargate service, target group.

What the shifter owns (task definition revision, desired count, scaling bounds) is read
from the live state, never declared; see cutover/cdk/live_state.py.
"""

from __future__ import annotations

import re

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from cutover.cdk.image_pull import acknowledge_granted_pull
from cutover.cdk.live_state import LiveState
from cutover.cdk.supplied_image import SuppliedImage
from cutover.config import ASSET_IMAGE, ServiceConfig
from cutover.shifter.contract import ContainerEnv, LiveKey, Side

# The container's stopTimeout must cover the deregistration delay plus the app's own
# drain, so that ECS does not SIGKILL a task the ALB is still draining. Fargate's max is 120 s.
STOP_TIMEOUT_MARGIN_SECONDS = 15
CONTAINER_NAME = "app"


def cluster_name(service_name: str) -> str:
    return f"cutover-{service_name}"


class ServiceSide(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ServiceConfig,
        side: Side,
        cluster: ecs.ICluster,
        vpc: ec2.IVpc,
        service_security_group: ec2.ISecurityGroup,
        live_state: LiveState,
        seed_live: bool,
        execution_role: iam.IRole,
        task_role: iam.IRole,
        cluster_name: str,
        supplied_image: SuppliedImage | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.side = side
        self._cluster_name = cluster_name  # in the scalable target's ResourceId
        self.service_name = f"{config.service_name}-{side}"

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/cutover/{config.service_name}/{side}",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            family=self.service_name,
            cpu=config.cpu,
            memory_limit_mib=config.memory_mib,
            execution_role=execution_role,
            task_role=task_role,
        )
        # The shifter registers later revisions in this family; a revision CloudFormation
        # replaces may still be live, so it must never be deregistered by a stack update.
        self.task_definition.apply_removal_policy(RemovalPolicy.RETAIN)
        image, stop_timeout, image_environment = _image(config, supplied_image)
        app_container = self.task_definition.add_container(
            CONTAINER_NAME,
            image=image,
            port_mappings=[ecs.PortMapping(container_port=config.container_port)],
            environment={
                **image_environment,
                **config.environment,
                ContainerEnv.SIDE: side,
                ContainerEnv.SERVICE: config.service_name,
            },
            secrets=_container_secrets(self, config),
            logging=ecs.LogDriver.aws_logs(stream_prefix=side, log_group=self.log_group),
            health_check=ecs.HealthCheck(
                command=["CMD-SHELL", config.health_command],
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                retries=3,
                start_period=Duration.seconds(30),
            ),
            stop_timeout=Duration.seconds(stop_timeout),
        )
        acknowledge_granted_pull(app_container, config)

        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            vpc=vpc,
            port=config.container_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            deregistration_delay=Duration.seconds(config.deregistration_delay_seconds),
            stickiness_cookie_duration=Duration.seconds(config.stickiness_seconds) if config.stickiness else None,
            health_check=elbv2.HealthCheck(
                path=config.health_check_path,
                interval=Duration.seconds(config.health_check_interval_seconds),
                timeout=Duration.seconds(config.health_check_timeout_seconds),
                healthy_threshold_count=config.healthy_threshold,
                unhealthy_threshold_count=config.unhealthy_threshold,
                healthy_http_codes="200-399",
            ),
        )

        self.service = ecs.FargateService(
            self,
            "Service",
            service_name=self.service_name,
            cluster=cluster,
            task_definition=self.task_definition,
            security_groups=[service_security_group],
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            assign_public_ip=False,
            # Without automatic rollback: the shifter decides. An ECS-side revert would
            # silently put the previous image back on the idle side.
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=False),
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=Duration.seconds(60),
            enable_execute_command=False,
        )
        self.service.attach_to_application_target_group(self.target_group)

        # The shifter owns these; the template only reads them (see live_state.py).
        live_count = config.desired_count if seed_live else 0
        template_task_definition = self.task_definition.task_definition_arn
        cfn_service = self.service.node.default_child
        assert isinstance(cfn_service, ecs.CfnService)
        cfn_service.add_property_override(
            "TaskDefinition", live_state.seed(side, LiveKey.TASK_DEFINITION, template_task_definition)
        )
        cfn_service.add_property_override("DesiredCount", live_state.seed(side, LiveKey.DESIRED_COUNT, live_count))
        container = self.task_definition.default_container
        assert container is not None
        live_state.seed(side, LiveKey.IMAGE, container.image_name)

    def autoscale(self, config: ServiceConfig, live_state: LiveState, seed_live: bool) -> None:
        """Call after the target group is routed: request-count scaling needs its load balancer."""
        scaling = config.autoscaling
        if scaling is None:
            return
        target = self.service.auto_scale_task_count(min_capacity=scaling.min, max_capacity=scaling.max)
        if scaling.cpu_target_percent is not None:
            target.scale_on_cpu_utilization("Cpu", target_utilization_percent=scaling.cpu_target_percent)
        else:
            assert scaling.requests_per_target is not None
            target.scale_on_request_count(
                "Requests", requests_per_target=scaling.requests_per_target, target_group=self.target_group
            )
        cfn_target = target.node.find_child("Target").node.default_child
        assert isinstance(cfn_target, appscaling.CfnScalableTarget)
        # From the known names, not `Fn::GetAtt Service.Name`: with a dynamic reference in the
        # service's DesiredCount, CloudFormation fails that GetAtt with "Model validation failed
        # (#/DesiredCount: expected type: Number, found: String)" (cloudformation-coverage-roadmap#875).
        cfn_target.add_property_override("ResourceId", f"service/{self._cluster_name}/{self.service_name}")
        cfn_service = self.service.node.default_child
        assert isinstance(cfn_service, ecs.CfnService)
        cfn_target.add_resource_dependency(cfn_service)  # the literal id no longer implies the order
        # Seeded from the side's recorded count: a side with tasks keeps them, an idle side is
        # pinned at 0..0 so that autoscaling cannot start tasks on it, whichever side is live.
        minimum, maximum = live_state.seed_capacity(self.side, configured=(scaling.min, scaling.max), live=seed_live)
        cfn_target.add_property_override("MinCapacity", minimum)
        cfn_target.add_property_override("MaxCapacity", maximum)
        if not config.local:
            cfn_target.node.add_dependency(live_state.seed_resource(self.side, "capacity"))


def _image(config: ServiceConfig, supplied: SuppliedImage | None) -> tuple[ecs.ContainerImage, int, dict[str, str]]:
    """The container image, its stopTimeout, and environment the image needs."""
    if config.image != ASSET_IMAGE:
        stop_timeout = min(120, config.deregistration_delay_seconds + STOP_TIMEOUT_MARGIN_SECONDS)
        return ecs.ContainerImage.from_registry(config.image), stop_timeout, {}
    if supplied is None:
        raise ValueError(f"image {ASSET_IMAGE!r}: pass the image itself (container_image=SuppliedImage(...))")
    return supplied.image, supplied.stop_timeout_seconds, dict(supplied.environment)


def _container_secrets(scope: Construct, config: ServiceConfig) -> dict[str, ecs.Secret]:
    secrets: dict[str, ecs.Secret] = {}
    for name, arn in config.secrets.items():
        if ":ssm:" in arn:
            parameter_name = "/" + arn.split(":parameter/", 1)[1]
            parameter = ssm.StringParameter.from_secure_string_parameter_attributes(
                scope, f"Secret{name}", parameter_name=parameter_name
            )
            secrets[name] = ecs.Secret.from_ssm_parameter(parameter)
        else:
            # A complete ARN ends in the 6-character suffix Secrets Manager appends.
            if re.search(r"-[A-Za-z0-9]{6}$", arn):
                secret = secretsmanager.Secret.from_secret_complete_arn(scope, f"Secret{name}", arn)
            else:
                secret = secretsmanager.Secret.from_secret_partial_arn(scope, f"Secret{name}", arn)
            secrets[name] = ecs.Secret.from_secrets_manager(secret)
    return secrets
