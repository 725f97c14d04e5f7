"""What IAM authorizes for each AWS call Cutover's Lambdas make: the action as IAM names
it, the ARN of the resource the call touches (from the request's parameters), the condition
keys we can supply, and the extra authorizations AWS performs for some calls (iam:PassRole,
tag-on-create).

One small entry per operation our code uses, after the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/, "Actions defined by
<service>": the resource types and condition keys of each action). An action that lists no
resource type is authorized against "*". An operation not listed here raises
UnmappedOperation: add its entry (and its docs/aws-fidelity.md row), never default it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class UnmappedOperation(RuntimeError):
    """A Lambda made a call the local IAM check has no resource mapping for."""


@dataclass(frozen=True)
class Permission:
    action: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


class Lookups(Protocol):
    """What local AWS knows that the request does not say."""

    def next_task_definition_revision(self, family: str) -> int: ...

    def state_machine_of_task_token(self, token: str) -> str | None: ...

    def secret_arn(self, secret_id: str) -> str: ...

    def topic_key_arn(self, topic_arn: str) -> str | None: ...


@dataclass(frozen=True)
class Scope:
    region: str
    account: str
    lookups: Lookups

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


# botocore service name -> IAM service prefix. The endpoint prefix is not always the IAM
# prefix: CloudWatch's API is "monitoring", Step Functions' is "states".
IAM_PREFIX = {
    "application-autoscaling": "application-autoscaling",
    "cloudwatch": "cloudwatch",
    "dynamodb": "dynamodb",
    "ecs": "ecs",
    "elbv2": "elasticloadbalancing",
    "secretsmanager": "secretsmanager",
    "sns": "sns",
    "ssm": "ssm",
    "stepfunctions": "states",
    "sts": "sts",
}

Builder = Callable[[Mapping[str, Any], Scope], list[Permission]]


def _unscoped(action: str) -> Builder:
    """An action with no resource-level permissions: authorized against "*"."""
    return lambda params, scope: [Permission(action, "*")]


def _no_authorization(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
    # sts:GetCallerIdentity: "No permissions are required to perform this operation"
    # (STS API reference, GetCallerIdentity).
    return []


def _ecs_service_arn(cluster: str, service: str, scope: Scope) -> str:
    if service.startswith("arn:"):
        return service
    cluster_name = cluster.rsplit("/", 1)[-1] if cluster.startswith("arn:") else cluster
    return scope.arn("ecs", f"service/{cluster_name}/{service}")


def _ecs_services(action: str) -> Builder:
    def build(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
        cluster = str(params.get("cluster", "default"))
        services = params["services"] if "services" in params else [params["service"]]
        return [Permission(action, _ecs_service_arn(cluster, str(s), scope)) for s in services]

    return build


def _ecs_cluster_arn(cluster: str, scope: Scope) -> str:
    return cluster if cluster.startswith("arn:") else scope.arn("ecs", f"cluster/{cluster}")


def _list_tasks(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
    # ListTasks names only a container-instance resource type (none on Fargate), with the
    # ecs:cluster condition key (Service Authorization Reference, Amazon ECS): "*" here.
    cluster = _ecs_cluster_arn(str(params.get("cluster", "default")), scope)
    return [Permission("ecs:ListTasks", "*", {"ecs:cluster": cluster})]


def _describe_tasks(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
    cluster = str(params.get("cluster", "default"))
    cluster_name = cluster.rsplit("/", 1)[-1]
    context = {"ecs:cluster": _ecs_cluster_arn(cluster, scope)}
    return [
        Permission(
            "ecs:DescribeTasks",
            str(task) if str(task).startswith("arn:") else scope.arn("ecs", f"task/{cluster_name}/{task}"),
            context,
        )
        for task in params["tasks"]
    ]


def _register_task_definition(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
    family = str(params["family"])
    permissions = [Permission("ecs:RegisterTaskDefinition", "*")]
    # "Users must have permission to pass the task execution role and the task role to ECS"
    # (ECS Developer Guide, task_execution_IAM_role / task-iam-roles): iam:PassRole on each
    # role, with iam:PassedToService (IAM User Guide, id_roles_use_passrole).
    for key in ("executionRoleArn", "taskRoleArn"):
        if params.get(key):
            permissions.append(
                Permission("iam:PassRole", str(params[key]), {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
            )
    tags = params.get("tags") or []
    if tags:
        # "If tags are specified in the resource-creating action, AWS performs additional
        # authorization": ecs:TagResource on the new revision, with ecs:CreateAction
        # (ECS Developer Guide, supported-iam-actions-tagging).
        revision = scope.lookups.next_task_definition_revision(family)
        context: dict[str, str | Sequence[str]] = {
            "ecs:CreateAction": "RegisterTaskDefinition",
            "aws:TagKeys": [str(tag["key"]) for tag in tags],
        }
        context.update({f"aws:RequestTag/{tag['key']}": str(tag["value"]) for tag in tags})
        permissions.append(
            Permission("ecs:TagResource", scope.arn("ecs", f"task-definition/{family}:{revision}"), context)
        )
    return permissions


def _register_scalable_target(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
    permissions = [Permission("application-autoscaling:RegisterScalableTarget", "*")]
    # Registering an ECS service also needs ecs:DescribeServices and ecs:UpdateService on it
    # (ECS Developer Guide, auto-scaling-IAM: "the following permissions are required").
    if params.get("ServiceNamespace") == "ecs":
        _, cluster, service = str(params["ResourceId"]).split("/", 2)
        arn = _ecs_service_arn(cluster, service, scope)
        permissions += [Permission("ecs:DescribeServices", arn), Permission("ecs:UpdateService", arn)]
    return permissions


def _dynamodb_table(action: str) -> Builder:
    def build(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
        table = str(params["TableName"])
        index = params.get("IndexName")
        resource = f"table/{table}" + (f"/index/{index}" if index else "")
        return [Permission(action, table if table.startswith("arn:") else scope.arn("dynamodb", resource))]

    return build


def _ssm_parameter_arn(name: str, scope: Scope) -> str:
    # parameter/<name without its leading slash> (Systems Manager User Guide, sysman-paramstore-access)
    return name if name.startswith("arn:") else scope.arn("ssm", f"parameter/{name.lstrip('/')}")


def _ssm_parameters(action: str) -> Builder:
    def build(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
        names = params["Names"] if "Names" in params else [params["Name"]]
        return [Permission(action, _ssm_parameter_arn(str(n), scope)) for n in names]

    return build


def _task_token(action: str) -> Builder:
    def build(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
        # The Service Authorization Reference lists no resource type for SendTask*; AWS has
        # been observed to evaluate them against the state machine that issued the token
        # (docs/aws-fidelity.md). A token local AWS does not know is answered InvalidToken
        # by moto, as by AWS, so there is nothing to authorize against.
        state_machine = scope.lookups.state_machine_of_task_token(str(params["taskToken"]))
        return [] if state_machine is None else [Permission(action, state_machine)]

    return build


def _one_arn(action: str, parameter: str) -> Builder:
    return lambda params, scope: [Permission(action, str(params[parameter]))]


def _secret(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
    return [Permission("secretsmanager:GetSecretValue", scope.lookups.secret_arn(str(params["SecretId"])))]


def _sns_publish(params: Mapping[str, Any], scope: Scope) -> list[Permission]:
    topic = str(params.get("TopicArn") or params["TargetArn"])
    permissions = [Permission("sns:Publish", topic)]
    # An encrypted topic: "make sure that any publishers have the kms:GenerateDataKey* and
    # kms:Decrypt permissions for the AWS KMS key" (SNS Developer Guide, sns-key-management).
    key = scope.lookups.topic_key_arn(topic)
    if key is not None:
        permissions += [Permission("kms:GenerateDataKey", key), Permission("kms:Decrypt", key)]
    return permissions


OPERATIONS: dict[str, Builder] = {
    "elasticloadbalancing:DescribeListeners": _unscoped("elasticloadbalancing:DescribeListeners"),
    "elasticloadbalancing:DescribeTargetHealth": _unscoped("elasticloadbalancing:DescribeTargetHealth"),
    "elasticloadbalancing:ModifyListener": _one_arn("elasticloadbalancing:ModifyListener", "ListenerArn"),
    "ecs:DescribeServices": _ecs_services("ecs:DescribeServices"),
    "ecs:UpdateService": _ecs_services("ecs:UpdateService"),
    "ecs:ListTasks": _list_tasks,
    "ecs:DescribeTasks": _describe_tasks,
    "ecs:DescribeTaskDefinition": _unscoped("ecs:DescribeTaskDefinition"),
    "ecs:RegisterTaskDefinition": _register_task_definition,
    "application-autoscaling:RegisterScalableTarget": _register_scalable_target,
    # "cloudwatch:DescribeAlarms permission that is scoped to *" (CloudWatch API, DescribeAlarms)
    "cloudwatch:DescribeAlarms": _unscoped("cloudwatch:DescribeAlarms"),
    # GetMetricData has no resource type in the Service Authorization Reference ("Actions defined
    # by Amazon CloudWatch"): authorized on "*" only.
    "cloudwatch:GetMetricData": _unscoped("cloudwatch:GetMetricData"),
    "dynamodb:GetItem": _dynamodb_table("dynamodb:GetItem"),
    "dynamodb:PutItem": _dynamodb_table("dynamodb:PutItem"),
    "dynamodb:UpdateItem": _dynamodb_table("dynamodb:UpdateItem"),
    "dynamodb:DeleteItem": _dynamodb_table("dynamodb:DeleteItem"),
    "dynamodb:Query": _dynamodb_table("dynamodb:Query"),
    "ssm:GetParameter": _ssm_parameters("ssm:GetParameter"),
    "ssm:GetParameters": _ssm_parameters("ssm:GetParameters"),
    "ssm:PutParameter": _ssm_parameters("ssm:PutParameter"),
    "sns:Publish": _sns_publish,
    "states:SendTaskSuccess": _task_token("states:SendTaskSuccess"),
    "states:SendTaskFailure": _task_token("states:SendTaskFailure"),
    "secretsmanager:GetSecretValue": _secret,
    "sts:GetCallerIdentity": _no_authorization,
}


def iam_action(service_name: str, operation_name: str) -> str:
    prefix = IAM_PREFIX.get(service_name)
    if prefix is None:
        raise UnmappedOperation(f"no IAM prefix known for service {service_name} (cutover/local/iam_requests.py)")
    return f"{prefix}:{operation_name}"


def permissions_for(
    service_name: str, operation_name: str, params: Mapping[str, Any], scope: Scope
) -> list[Permission]:
    """Every authorization AWS performs for this call."""
    action = iam_action(service_name, operation_name)
    builder = OPERATIONS.get(action)
    if builder is None:
        raise UnmappedOperation(f"{action} has no resource mapping in cutover/local/iam_requests.py: add one")
    return builder(params, scope)
