"""What the ECS emulation requires of a task's execution role, and the reason a task stops with."""

from __future__ import annotations

from typing import Any

from cutover.local.execution_role_checks import TaskStart, requirements, stopped_reason

ACCOUNT, REGION, TASK = "123456789012", "eu-west-1", "t1"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:v2"
REPOSITORY = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/app"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/cutover/demo/green:*"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbCdEf"
PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/demo/key"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/exec/{TASK}"


def container(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "app",
        "image": IMAGE,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/cutover/demo/green", "awslogs-stream-prefix": "green"},
        },
        **overrides,
    }


def allow(actions: list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def policy(*statements: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Version": "2012-10-17", "Statement": list(statements)}]


PULL = allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], REPOSITORY)
LOGIN = allow(["ecr:GetAuthorizationToken"], "*")
LOGS = allow(["logs:CreateLogStream", "logs:PutLogEvents"], LOG_GROUP)


def reason(containers: list[dict[str, Any]], policies: list[dict[str, Any]]) -> str | None:
    task = TaskStart(family="demo-green", execution_role_arn=None, containers=containers)
    return stopped_reason(requirements(task, account=ACCOUNT, region=REGION, task_id=TASK), policies, SESSION)


def test_a_role_with_login_pull_and_logs_starts_the_task() -> None:
    assert reason([container()], policy(LOGIN, PULL, LOGS)) is None


def test_without_the_repository_the_image_cannot_be_pulled() -> None:
    stopped = reason([container()], policy(LOGIN, LOGS))
    assert stopped is not None and stopped.startswith("CannotPullContainerError: ")
    assert f"not authorized to perform: ecr:BatchGetImage on resource: {REPOSITORY}" in stopped


def test_without_the_registry_login_the_task_fails_to_initialize() -> None:
    stopped = reason([container()], policy(PULL, LOGS))
    assert stopped is not None and stopped.startswith("ResourceInitializationError: unable to pull secrets")
    assert "ecr:GetAuthorizationToken on resource: *" in stopped


def test_a_public_image_needs_only_the_log_stream() -> None:
    assert reason([container(image="public.ecr.aws/nginx/nginx:1.27")], policy(LOGS)) is None
    stopped = reason([container(image="public.ecr.aws/nginx/nginx:1.27")], policy())
    assert stopped is not None and "failed to initialize logging driver" in stopped
    assert f"log-group:/cutover/demo/green:log-stream:green/app/{TASK}" in stopped


def test_each_secret_must_be_readable() -> None:
    secrets = [{"name": "DB", "valueFrom": f"{SECRET}:password::"}, {"name": "KEY", "valueFrom": PARAMETER}]
    granted = policy(LOGIN, PULL, LOGS, allow(["secretsmanager:GetSecretValue"], SECRET))
    stopped = reason([container(secrets=secrets)], granted)
    assert stopped is not None and "unable to retrieve secrets from ssm" in stopped
    assert f"ssm:GetParameters on resource: {PARAMETER}" in stopped
    granted[0]["Statement"].append(allow(["ssm:GetParameters"], PARAMETER))
    assert reason([container(secrets=secrets)], granted) is None


def test_an_explicit_deny_is_reported_as_such() -> None:
    deny = {"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}
    stopped = reason([container()], policy(LOGIN, PULL, LOGS, deny))
    assert stopped is not None and "with an explicit deny in an identity-based policy" in stopped
