"""The shifter's Lambda functions and their least-privilege roles."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cutover.cdk.blue_green_service import BlueGreenService
from cutover.cdk.iam_exceptions import UNSCOPABLE_ACTIONS
from cutover.cdk.lambda_asset import staged_lambda_code
from cutover.cdk.live_state import LIVE_KEYS
from cutover.cdk.service_side import CONTAINER_NAME
from cutover.cdk.side_alarms import ALARM_KINDS, alarm_name
from cutover.shifter.contract import METRICS_NAMESPACE, SIDES
from cutover.shifter.environment import ShifterEnvironment, variables

# The workflow Lambda's timeout: each step must finish well within it (steps/smoke_tests.py).
WORKFLOW_TIMEOUT_SECONDS = 60

RUNTIME = lambda_.Runtime.PYTHON_3_13
# Powertools for AWS Lambda (Python) 3.23.0, layer version 27: the same version
# requirements-dev.txt pins for tests. The v3 layers carry pydantic v2 (the parser needs it).
POWERTOOLS_LAYER = "arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:27"


# The ec2 actions of the AWS managed policy AWSLambdaVPCAccessExecutionRole (v3).
VPC_NETWORK_INTERFACE_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)


def state_machine_name(service_name: str) -> str:
    return f"cutover-{service_name}"


class ShifterFunctions(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, service: BlueGreenService) -> None:
        super().__init__(scope, construct_id)
        config = service.config
        stack = Stack.of(self)
        self.state_machine_arn = stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=state_machine_name(config.service_name),
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        code = lambda_.Code.from_asset(str(staged_lambda_code()))
        layers = (
            []
            if config.local  # moto runs the handlers in-process; a public layer ARN means nothing there
            else [
                lambda_.LayerVersion.from_layer_version_arn(
                    self, "Powertools", POWERTOOLS_LAYER.format(region=stack.region)
                )
            ]
        )
        self._vpc = service.network.vpc
        # Smoke tests must reach an internal ALB from inside the VPC.
        self.security_group = (
            None
            if config.internet_facing
            else ec2.SecurityGroup(self, "SecurityGroup", vpc=self._vpc, description="Cutover shifter")
        )
        environment = self._environment(service)
        self.workflow = self._function(
            "Workflow",
            handler="cutover.shifter.handlers.workflow.handler",
            code=code,
            layers=layers,
            environment=environment,
            timeout_seconds=WORKFLOW_TIMEOUT_SECONDS,
        )
        self.alarm_events = self._function(
            "AlarmEvents",
            handler="cutover.shifter.handlers.alarm_event.handler",
            code=code,
            layers=layers,
            environment=environment,
            timeout_seconds=30,
        )
        self.execution_events = self._function(
            "ExecutionEvents",
            handler="cutover.shifter.handlers.execution_event.handler",
            code=code,
            layers=layers,
            environment=environment,
            timeout_seconds=30,
        )
        self._grant_workflow(service)
        self._grant_alarm_events(service)
        self._grant_execution_events(service)

    def _function(
        self,
        name: str,
        *,
        handler: str,
        code: lambda_.Code,
        layers: list[lambda_.ILayerVersion],
        environment: dict[str, str],
        timeout_seconds: int,
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self, f"{name}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        role = iam.Role(self, f"{name}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        in_vpc = self.security_group is not None
        if in_vpc:
            # CDK attaches AWSLambdaVPCAccessExecutionRole only to roles it creates itself; Lambda creates
            # the function's network interfaces with the function's own role (Lambda Developer Guide,
            # configuration-vpc: "ec2:DescribeNetworkInterfaces - This action only works if it's allowed
            # on all resources"). The managed policy's ec2 actions, without its logs:* on "*".
            role.add_to_policy(_unscoped(*VPC_NETWORK_INTERFACE_ACTIONS))
        return lambda_.Function(
            self,
            name,
            runtime=RUNTIME,
            handler=handler,
            code=code,
            layers=layers,
            role=role,
            log_group=log_group,
            environment=environment,
            timeout=Duration.seconds(timeout_seconds),
            memory_size=512,
            tracing=lambda_.Tracing.ACTIVE,
            architecture=lambda_.Architecture.X86_64,
            vpc=self._vpc if in_vpc else None,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS) if in_vpc else None,
            security_groups=[self.security_group] if self.security_group is not None else None,
        )

    def _environment(self, service: BlueGreenService) -> dict[str, str]:
        """Built from the model the Lambda parses it with, so a name or a shape cannot drift."""
        config = service.config
        sides = service.sides
        token = service.test_route.token_secret
        environment = ShifterEnvironment(
            service_name=config.service_name,
            on_step_hooks=len(config.hooks.on_step),
            on_rollback_hooks=len(config.hooks.on_rollback),
            cluster=service.cluster.cluster_name,
            listener_arn=service.load_balancer.listener.listener_arn,
            table_name=service.deployments.table.table_name,
            topic_arn=service.notifications.topic.topic_arn,
            live_state_prefix=service.live_state.prefix,
            services={side: sides[side].service_name for side in SIDES},
            target_groups={side: sides[side].target_group.target_group_arn for side in SIDES},
            template_task_definitions={side: sides[side].task_definition.task_definition_arn for side in SIDES},
            side_alarms={side: [alarm_name(config.service_name, side, kind) for kind in ALARM_KINDS] for side in SIDES},
            global_alarms=list(config.alarms.extra_alarm_names),
            container_name=CONTAINER_NAME,
            ecr_repositories=service.pull_repository_arns,
            base_url=config.smoke_test_base_url or service.load_balancer.base_url,
            test_token_secret_arn=token.secret_arn if token is not None else None,
            stickiness_seconds=config.stickiness_seconds if config.stickiness else None,
            autoscaling=config.autoscaling is not None,
            # Only the judge fields the context sets (`variables` drops unset ones).
            defaults=config.shifter_defaults(),
        )
        # JSON that may hold CDK tokens (CloudFormation joins them at deploy time).
        return variables(environment, to_json=Fn.to_json_string) | {"POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE}

    def _grant_workflow(self, service: BlueGreenService) -> None:
        config = service.config
        stack = Stack.of(self)
        role = self.workflow.role
        assert role is not None
        families = [service.sides[side].service_name for side in SIDES]
        statements = [
            iam.PolicyStatement(
                actions=["elasticloadbalancing:ModifyListener"],
                resources=[service.load_balancer.listener.listener_arn],
            ),
            iam.PolicyStatement(
                actions=["ecs:UpdateService", "ecs:DescribeServices"],
                resources=[service.sides[side].service.service_arn for side in SIDES],
            ),
            # Why a side's tasks stopped, for the cause of a failed stabilization.
            iam.PolicyStatement(
                actions=["ecs:DescribeTasks"],
                resources=[
                    stack.format_arn(service="ecs", resource="task", resource_name=f"{service.cluster.cluster_name}/*")
                ],
            ),
            _unscoped_in_cluster("ecs:ListTasks", service.cluster.cluster_arn),
            iam.PolicyStatement(
                actions=["ecs:TagResource"],
                resources=[
                    stack.format_arn(service="ecs", resource="task-definition", resource_name=f"{family}:*")
                    for family in families
                ],
            ),
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[service.execution_role.role_arn, service.task_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            ),
            iam.PolicyStatement(
                actions=["ssm:GetParameters", "ssm:PutParameter"],
                resources=[
                    stack.format_arn(
                        service="ssm",
                        resource="parameter",
                        resource_name=service.live_state.parameter_name(side, key).lstrip("/"),
                    )
                    for side in SIDES
                    for key in LIVE_KEYS
                ],
            ),
            iam.PolicyStatement(
                actions=["states:SendTaskSuccess", "states:SendTaskFailure"], resources=[self.state_machine_arn]
            ),
            _unscoped(
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeTargetHealth",
                "ecs:RegisterTaskDefinition",
                "ecs:DescribeTaskDefinition",
                "cloudwatch:DescribeAlarms",
                # The judge reads both sides' target-group metrics (steps/judging.py): the
                # workflow function only, which runs check_bake.
                "cloudwatch:GetMetricData",
            ),
        ]
        if config.autoscaling is not None:
            statements.append(_unscoped("application-autoscaling:RegisterScalableTarget"))
        for statement in statements:
            role.add_to_principal_policy(statement)
        self._grant_table_topic_secret(service, role)

    def _grant_table_topic_secret(self, service: BlueGreenService, role: iam.IRole) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                ],
                resources=[service.deployments.table.table_arn],
            )
        )
        service.notifications.topic.grant_publish(role)
        if service.test_route.token_secret is not None:
            service.test_route.token_secret.grant_read(role)

    def _grant_execution_events(self, service: BlueGreenService) -> None:
        role = self.execution_events.role
        assert role is not None
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:DeleteItem"], resources=[service.deployments.table.table_arn]
            )
        )

    def _grant_alarm_events(self, service: BlueGreenService) -> None:
        role = self.alarm_events.role
        assert role is not None
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:UpdateItem"], resources=[service.deployments.table.table_arn]
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:SendTaskFailure"], resources=[self.state_machine_arn])
        )


def _unscoped(*actions: str) -> iam.PolicyStatement:
    unknown = [a for a in actions if a not in UNSCOPABLE_ACTIONS]
    if unknown:
        raise ValueError(f"{unknown} are not in cutover/cdk/iam_exceptions.py: scope them to a resource")
    return iam.PolicyStatement(actions=list(actions), resources=["*"])


def _unscoped_in_cluster(action: str, cluster_arn: str) -> iam.PolicyStatement:
    """An action whose only resource is a container instance, limited to this cluster by its condition key."""
    statement = _unscoped(action)
    statement.add_condition("ArnEquals", {"ecs:cluster": cluster_arn})
    return statement
