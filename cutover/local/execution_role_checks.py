"""What ECS does with a task's execution role before its containers start, which moto skips.

On Fargate the agent uses the task execution role to log in to a private ECR registry, pull
the image, read each container secret and create the log stream ("Amazon ECS task execution
IAM role", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html;
"Using Amazon ECR images with Amazon ECS",
https://docs.aws.amazon.com/AmazonECR/latest/userguide/ECR_on_ECS.html). When the role may not,
the task stops before it runs, with a reason starting `ResourceInitializationError` (registry
login, secrets, logging driver) or `CannotPullContainerError` (the image), as "Stopped tasks
error codes" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html)
lists; the wording below follows the examples AWS and its users report.

Here each requirement is evaluated against the execution role's policies as the synthesized
template defines them (cutover/local/template_roles.py, iam_policy.py). Not enforced: KMS keys
of secrets, repository policies (cross-account pulls) and network reachability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cutover.local.iam_policy import Decision, Outcome, evaluate
from cutover.local.template_roles import StackResolver, role_policies
from cutover.shifter.logic.ecr_images import partition_of, private_ecr_repository


@dataclass(frozen=True)
class Requirement:
    action: str
    resource: str
    failure: str  # the task's stoppedReason up to the AccessDeniedException


@dataclass(frozen=True)
class TaskStart:
    """The containers of one task definition, as the agent sees them."""

    family: str
    execution_role_arn: str | None
    containers: Sequence[Mapping[str, Any]]


_LOGGING = "ResourceInitializationError: failed to initialize logging driver"
_SECRETS = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed"


def requirements(task: TaskStart, *, account: str, region: str, task_id: str) -> list[Requirement]:
    """In the agent's order: registry login and secrets, then the image, then the log stream."""
    before: list[Requirement] = []
    pull: list[Requirement] = []
    logging: list[Requirement] = []
    for container in task.containers:
        image = str(container.get("image", ""))
        repository = private_ecr_repository(image)
        if repository is not None:
            before.append(
                Requirement(
                    "ecr:GetAuthorizationToken",
                    "*",
                    f"{_SECRETS}: unable to retrieve ecr registry auth: service call has been retried 3 time(s)",
                )
            )
            registry, _, reference = image.partition("/")
            cannot_pull = (
                f"CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref "
                f"{image}: pulling from host {registry} failed with status code [manifests {_reference(reference)}]: "
                "403 Forbidden"
            )
            pull += [Requirement(action, repository.arn, cannot_pull) for action in _PULL_ACTIONS]
        for secret in container.get("secrets") or []:
            before.append(_secret_requirement(str(secret["valueFrom"]), account=account, region=region))
        log = container.get("logConfiguration") or {}
        options = log.get("options") or {}
        if log.get("logDriver") == "awslogs" and "awslogs-group" in options:
            stream = f"{options.get('awslogs-stream-prefix', 'ecs')}/{container.get('name', '')}/{task_id}"
            arn = (
                f"arn:{partition_of(region)}:logs:{options.get('awslogs-region', region)}:{account}:"
                f"log-group:{options['awslogs-group']}:log-stream:{stream}"
            )
            failure = f"{_LOGGING}: failed to create Cloudwatch log stream"
            logging += [Requirement(action, arn, failure) for action in ("logs:CreateLogStream", "logs:PutLogEvents")]
    return [*dict.fromkeys(before), *dict.fromkeys(pull), *dict.fromkeys(logging)]


# The agent calls BatchGetImage and GetDownloadUrlForLayer to pull (ECR_on_ECS.html).
_PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def _reference(repository_and_reference: str) -> str:
    name, at, digest = repository_and_reference.partition("@")
    if at:
        return digest
    return name.rsplit(":", 1)[1] if ":" in name else "latest"


def _secret_requirement(value_from: str, *, account: str, region: str) -> Requirement:
    """`valueFrom` is a Secrets Manager ARN (optionally :json-key:stage:id) or an SSM parameter ARN or name."""
    if ":secretsmanager:" in value_from:
        arn = ":".join(value_from.split(":")[:7])
        return Requirement(
            "secretsmanager:GetSecretValue",
            arn,
            f"{_SECRETS}: unable to retrieve secret from asm: service call has been retried 1 time(s): "
            f"failed to fetch secret {arn} from secrets manager",
        )
    if value_from.startswith("arn:"):
        arn = value_from
    else:
        arn = f"arn:{partition_of(region)}:ssm:{region}:{account}:parameter/{value_from.lstrip('/')}"
    return Requirement(
        "ssm:GetParameters",
        arn,
        f"{_SECRETS}: unable to retrieve secrets from ssm: service call has been retried 1 time(s)",
    )


def stopped_reason(
    requirements_in_order: Sequence[Requirement], policies: Sequence[Mapping[str, Any]], session_arn: str
) -> str | None:
    """The task's stoppedReason at the first requirement the role does not allow; None if all are."""
    for requirement in requirements_in_order:
        decision = evaluate(policies, requirement.action, requirement.resource)
        if not decision.allowed:
            return f"{requirement.failure}: {_access_denied(decision, requirement, session_arn)}"
    return None


def _access_denied(decision: Decision, requirement: Requirement, session_arn: str) -> str:
    why = (
        "with an explicit deny in an identity-based policy"
        if decision.outcome is Outcome.EXPLICIT_DENY
        else f"because no identity-based policy allows the {requirement.action} action"
    )
    return (
        f"AccessDeniedException: User: {session_arn} is not authorized to perform: {requirement.action} "
        f"on resource: {requirement.resource} {why}"
    )


class ExecutionRoles:
    """The execution roles of one created stack: its template's policies, resolved."""

    def __init__(self, template: Mapping[str, Any], resolver: StackResolver) -> None:
        self._template = template
        self._resolver = resolver
        self._policies: dict[str, list[dict[str, Any]]] = {}
        resources: Mapping[str, Any] = template["Resources"]
        self._role_of_family: dict[str, str] = {}  # family -> role logical id
        self._role_of_name: dict[str, str] = {}  # role name local AWS created -> logical id
        for logical_id, resource in resources.items():
            if resource["Type"] == "AWS::IAM::Role":
                self._role_of_name[resolver.ref(logical_id)] = logical_id
            if resource["Type"] == "AWS::ECS::TaskDefinition":
                properties = resource.get("Properties", {})
                role = properties.get("ExecutionRoleArn", {}).get("Fn::GetAtt")
                if role and "Family" in properties:
                    self._role_of_family[str(resolver.resolve(properties["Family"]))] = str(role[0])

    @property
    def account(self) -> str:
        return self._resolver.account

    @property
    def region(self) -> str:
        return self._resolver.region

    def role_of(self, task: TaskStart) -> tuple[str, str] | None:
        """(logical id, role name) of the task's execution role, None when it has none.

        moto's CloudFormation drops a task definition's ExecutionRoleArn; the template's
        declaration for the family says which role AWS would have recorded."""
        if task.execution_role_arn:
            name = task.execution_role_arn.rsplit("/", 1)[-1]
            logical_id = self._role_of_name.get(name)
            return (logical_id, name) if logical_id else None
        logical_id = self._role_of_family.get(task.family)
        return (logical_id, self._resolver.ref(logical_id)) if logical_id else None

    def policies(self, logical_id: str) -> list[dict[str, Any]]:
        if logical_id not in self._policies:
            self._policies[logical_id] = role_policies(self._template, logical_id, self._resolver)
        return self._policies[logical_id]

    def why_tasks_cannot_start(self, task: TaskStart, task_id: str) -> str | None:
        role = self.role_of(task)
        needed = requirements(task, account=self.account, region=self.region, task_id=task_id)
        if role is None:
            return (
                "ResourceInitializationError: the task definition has no execution role to pull the image, "
                "read secrets or write logs"
                if needed
                else None
            )
        logical_id, name = role
        session = f"arn:{partition_of(self.region)}:sts::{self.account}:assumed-role/{name}/{task_id}"
        return stopped_reason(needed, self.policies(logical_id), session)
