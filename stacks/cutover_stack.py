"""CutoverStack: one stack per configured service, with the outputs the shifter and CLI read."""

from __future__ import annotations

from aws_cdk import CfnOutput, DefaultStackSynthesizer, Environment, Fn, Stack
from constructs import Construct

from shifter.contract import SIDES
from stacks.blue_green_service import BlueGreenService
from stacks.config import DEPLOY_TIME_AZS, ServiceConfig
from stacks.nag_acknowledgements import acknowledge_shifter_findings, acknowledge_stack_findings
from stacks.side_alarms import ALARM_KINDS, alarm_name
from stacks.traffic_shifter import TrafficShifter


def stack_name(config: ServiceConfig) -> str:
    return f"cutover-{config.service_name}"


class CutoverStack(Stack):
    def __init__(self, scope: Construct, *, config: ServiceConfig) -> None:
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
        self.service = BlueGreenService(self, "Service", config=config)
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
            "ServiceName": config.service_name,
            "AlbDnsName": service.load_balancer.alb.load_balancer_dns_name,
            "BaseUrl": service.load_balancer.base_url,
            "ListenerArn": service.load_balancer.listener.listener_arn,
            "ClusterName": service.cluster.cluster_name,
            "TableName": service.deployments.table.table_name,
            "TopicArn": service.notifications.topic.topic_arn,
            "LiveStatePrefix": service.live_state.prefix,
            "DashboardName": f"cutover-{config.service_name}",
            "StateMachineArn": self.shifter.state_machine.state_machine_arn,
            "WorkflowFunctionName": self.shifter.functions.workflow.function_name,
            "AlarmEventsFunctionName": self.shifter.functions.alarm_events.function_name,
            "ExecutionEventsFunctionName": self.shifter.functions.execution_events.function_name,
        }
        if service.test_route.token_secret is not None:
            values["TestTokenSecretArn"] = service.test_route.token_secret.secret_arn
        for side in SIDES:
            title = side.capitalize()
            side_construct = service.sides[side]
            values[f"{title}ServiceName"] = side_construct.service.service_name
            values[f"{title}TargetGroupArn"] = side_construct.target_group.target_group_arn
            values[f"{title}TemplateTaskDefinitionArn"] = side_construct.task_definition.task_definition_arn
            values[f"{title}TestRuleArn"] = service.test_route.rules[side].listener_rule_arn
            values[f"{title}AlarmNames"] = ",".join(alarm_name(config.service_name, side, kind) for kind in ALARM_KINDS)
        for key, value in values.items():
            CfnOutput(self, key, value=value)
