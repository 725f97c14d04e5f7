"""CutoverStack: one stack per configured service, with the outputs the shifter and CLI read."""

from __future__ import annotations

from aws_cdk import CfnOutput, DefaultStackSynthesizer, Environment, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from constructs import Construct

from cutover.cdk.blue_green_service import BlueGreenService
from cutover.cdk.nag_acknowledgements import acknowledge_shifter_findings, acknowledge_stack_findings
from cutover.cdk.side_alarms import ALARM_KINDS, alarm_name
from cutover.cdk.supplied_image import SuppliedImage
from cutover.cdk.traffic_shifter import TrafficShifter
from cutover.config import DEPLOY_TIME_AZS, ServiceConfig
from cutover.shifter.contract import SIDES, Output, SideOutput, side_output


def stack_name(config: ServiceConfig) -> str:
    return f"cutover-{config.service_name}"


class CutoverStack(Stack):
    """One Cutover service in its own stack `cutover-<service_name>`: the BlueGreenService, the
    traffic shifter, and the outputs the `cutover` CLI reads.

    `vpc`, `cluster` and `container_image` are passed to BlueGreenService: an app's own VPC and
    ECS cluster (defined in another stack of the same account and region) are referenced.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        config: ServiceConfig,
        vpc: ec2.IVpc | None = None,
        cluster: ecs.ICluster | None = None,
        container_image: SuppliedImage | None = None,
    ) -> None:
        super().__init__(
            scope,
            stack_name(config),
            env=Environment(account=config.account, region=config.region),
            description=f"Cutover blue/green service {config.service_name}",
            # The local template is created by moto's CloudFormation, which has no
            # bootstrap stack to check the version of.
            synthesizer=DefaultStackSynthesizer(generate_bootstrap_version_rule=not config.local),
        )
        self._availability_zones = config.availability_zones
        self.service = BlueGreenService(
            self, "Service", config=config, vpc=vpc, cluster=cluster, container_image=container_image
        )
        self.shifter = TrafficShifter(self, "Shifter", service=self.service)
        self._outputs(config)
        acknowledge_stack_findings(self, self.service)
        hooks = config.hooks
        acknowledge_shifter_findings(
            self.shifter,
            config.service_name,
            hooks.before_traffic + hooks.after_traffic + hooks.on_step + hooks.on_rollback,
            self.service.cluster,
        )

    @property
    def availability_zones(self) -> list[str]:
        """The configured AZs, else CloudFormation's at deploy time, whatever the env.

        CDK looks a concrete account's AZs up (a context provider: an AWS call, so synth
        needs credentials) and lets a stack override this getter to avoid it (aws-cdk-lib
        Stack.availabilityZones). The fallback is what CDK renders for an env-agnostic stack:
        `Fn::GetAZs` lists the region's AZs that have a default subnet, or all of them if none
        has one (CloudFormation Fn::GetAZs reference), and two of them exist in every region.
        """
        if self._availability_zones:
            return list(self._availability_zones)
        return [Fn.select(index, Fn.get_azs()) for index in range(DEPLOY_TIME_AZS)]

    def _outputs(self, config: ServiceConfig) -> None:
        service = self.service
        values: dict[str, str] = {
            Output.SERVICE_NAME: config.service_name,
            Output.ALB_DNS_NAME: service.load_balancer.alb.load_balancer_dns_name,
            Output.BASE_URL: service.load_balancer.base_url,
            Output.LISTENER_ARN: service.load_balancer.listener.listener_arn,
            Output.CLUSTER_NAME: service.cluster.cluster_name,
            Output.TABLE_NAME: service.deployments.table.table_name,
            Output.TOPIC_ARN: service.notifications.topic.topic_arn,
            Output.LIVE_STATE_PREFIX: service.live_state.prefix,
            Output.DASHBOARD_NAME: f"cutover-{config.service_name}",
            Output.STATE_MACHINE_ARN: self.shifter.state_machine.state_machine_arn,
            Output.WORKFLOW_FUNCTION_NAME: self.shifter.functions.workflow.function_name,
            Output.ALARM_EVENTS_FUNCTION_NAME: self.shifter.functions.alarm_events.function_name,
            Output.EXECUTION_EVENTS_FUNCTION_NAME: self.shifter.functions.execution_events.function_name,
        }
        if service.test_route.token_secret is not None:
            values[Output.TEST_TOKEN_SECRET_ARN] = service.test_route.token_secret.secret_arn
        for side in SIDES:
            side_construct = service.sides[side]
            values[side_output(side, SideOutput.SERVICE_NAME)] = side_construct.service.service_name
            values[side_output(side, SideOutput.TARGET_GROUP_ARN)] = side_construct.target_group.target_group_arn
            values[side_output(side, SideOutput.TEMPLATE_TASK_DEFINITION_ARN)] = (
                side_construct.task_definition.task_definition_arn
            )
            values[side_output(side, SideOutput.TEST_RULE_ARN)] = service.test_route.rules[side].listener_rule_arn
            values[side_output(side, SideOutput.ALARM_NAMES)] = ",".join(
                alarm_name(config.service_name, side, kind) for kind in ALARM_KINDS
            )
        for key, value in values.items():
            CfnOutput(self, str(key), value=value)  # a plain str for jsii (Output is a StrEnum)
