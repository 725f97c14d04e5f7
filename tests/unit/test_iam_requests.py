"""Each AWS call our Lambdas make maps to the authorizations AWS performs for it
(cutover/local/iam_requests.py). The lookups stand in for what local AWS knows."""

from __future__ import annotations

import pytest

from cutover.local.iam_requests import OPERATIONS, Permission, Scope, UnmappedOperation, iam_action, permissions_for

ACCOUNT, REGION = "123456789012", "eu-west-1"
LISTENER = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/alb/1/2"
STATE_MACHINE = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:cutover-demo"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:token-AbCdEf"


class Lookups:
    def next_task_definition_revision(self, family: str) -> int:
        return {"demo-green": 4}.get(family, 1)

    def state_machine_of_task_token(self, token: str) -> str | None:
        return STATE_MACHINE if token == "known" else None

    def secret_arn(self, secret_id: str) -> str:
        return secret_id if secret_id.startswith("arn:") else SECRET

    def topic_key_arn(self, topic_arn: str) -> str | None:
        return KEY if topic_arn.endswith(":encrypted") else None


SCOPE = Scope(REGION, ACCOUNT, Lookups())


def test_iam_names_cloudwatch_and_step_functions_by_their_own_prefixes() -> None:
    assert iam_action("cloudwatch", "DescribeAlarms") == "cloudwatch:DescribeAlarms"
    assert iam_action("stepfunctions", "SendTaskFailure") == "states:SendTaskFailure"
    assert iam_action("elbv2", "ModifyListener") == "elasticloadbalancing:ModifyListener"


def test_modify_listener_is_authorized_on_the_listener() -> None:
    assert permissions_for("elbv2", "ModifyListener", {"ListenerArn": LISTENER}, SCOPE) == [
        Permission("elasticloadbalancing:ModifyListener", LISTENER)
    ]


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("elbv2", "DescribeListeners"),
        ("elbv2", "DescribeTargetHealth"),
        ("ecs", "DescribeTaskDefinition"),
        ("cloudwatch", "DescribeAlarms"),
        ("cloudwatch", "GetMetricData"),
    ],
)
def test_actions_without_resource_level_permissions_are_authorized_on_star(service: str, operation: str) -> None:
    (permission,) = permissions_for(service, operation, {}, SCOPE)
    assert permission.resource == "*"


def test_ecs_services_are_named_by_cluster_and_service() -> None:
    assert permissions_for("ecs", "UpdateService", {"cluster": "cutover-demo", "service": "demo-blue"}, SCOPE) == [
        Permission("ecs:UpdateService", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/cutover-demo/demo-blue")
    ]
    cluster_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/cutover-demo"
    described = permissions_for("ecs", "DescribeServices", {"cluster": cluster_arn, "services": ["a", "b"]}, SCOPE)
    assert [p.resource for p in described] == [
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/cutover-demo/a",
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/cutover-demo/b",
    ]


def test_registering_a_revision_passes_both_roles_and_tags_the_new_revision() -> None:
    params = {
        "family": "demo-green",
        "executionRoleArn": "arn:aws:iam::1:role/exec",
        "taskRoleArn": "arn:aws:iam::1:role/task",
        "tags": [{"key": "cutover:side", "value": "green"}],
    }
    register, pass_exec, pass_task, tag = permissions_for("ecs", "RegisterTaskDefinition", params, SCOPE)
    assert register == Permission("ecs:RegisterTaskDefinition", "*")
    passed = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    assert pass_exec == Permission("iam:PassRole", "arn:aws:iam::1:role/exec", passed)
    assert pass_task == Permission("iam:PassRole", "arn:aws:iam::1:role/task", passed)
    assert tag.action == "ecs:TagResource"
    assert tag.resource == f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/demo-green:4"
    assert tag.context["ecs:CreateAction"] == "RegisterTaskDefinition"
    assert tag.context["aws:TagKeys"] == ["cutover:side"]


def test_registering_without_roles_or_tags_needs_only_the_action() -> None:
    assert permissions_for("ecs", "RegisterTaskDefinition", {"family": "f"}, SCOPE) == [
        Permission("ecs:RegisterTaskDefinition", "*")
    ]


def test_a_scalable_ecs_target_also_needs_describe_and_update_on_the_service() -> None:
    params = {"ServiceNamespace": "ecs", "ResourceId": "service/cutover-demo/demo-green"}
    service = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/cutover-demo/demo-green"
    assert permissions_for("application-autoscaling", "RegisterScalableTarget", params, SCOPE) == [
        Permission("application-autoscaling:RegisterScalableTarget", "*"),
        Permission("ecs:DescribeServices", service),
        Permission("ecs:UpdateService", service),
    ]


def test_dynamodb_calls_are_authorized_on_the_table_or_its_index() -> None:
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/deployments"
    assert permissions_for("dynamodb", "UpdateItem", {"TableName": "deployments"}, SCOPE)[0].resource == table
    query = permissions_for("dynamodb", "Query", {"TableName": "deployments", "IndexName": "by-time"}, SCOPE)
    assert query[0].resource == f"{table}/index/by-time"


def test_ssm_parameter_arns_drop_the_leading_slash() -> None:
    names = {"Names": ["/cutover/demo/live/blue/weight", "plain"]}
    assert [p.resource for p in permissions_for("ssm", "GetParameters", names, SCOPE)] == [
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/cutover/demo/live/blue/weight",
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/plain",
    ]
    assert permissions_for("ssm", "GetParameter", {"Name": "/a/b"}, SCOPE) == [
        Permission("ssm:GetParameter", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/a/b")
    ]


def test_task_tokens_are_authorized_on_the_state_machine_that_issued_them() -> None:
    assert permissions_for("stepfunctions", "SendTaskSuccess", {"taskToken": "known"}, SCOPE) == [
        Permission("states:SendTaskSuccess", STATE_MACHINE)
    ]
    # moto answers an unknown token InvalidToken, as AWS does: nothing to authorize against.
    assert permissions_for("stepfunctions", "SendTaskFailure", {"taskToken": "gone"}, SCOPE) == []


def test_topic_and_secret() -> None:
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:t"
    assert permissions_for("sns", "Publish", {"TopicArn": topic}, SCOPE) == [Permission("sns:Publish", topic)]
    assert permissions_for("secretsmanager", "GetSecretValue", {"SecretId": "token"}, SCOPE) == [
        Permission("secretsmanager:GetSecretValue", SECRET)
    ]


def test_publishing_to_an_encrypted_topic_also_needs_its_key() -> None:
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:encrypted"
    assert permissions_for("sns", "Publish", {"TopicArn": topic}, SCOPE) == [
        Permission("sns:Publish", topic),
        Permission("kms:GenerateDataKey", KEY),
        Permission("kms:Decrypt", KEY),
    ]


def test_get_caller_identity_needs_no_permission() -> None:
    assert permissions_for("sts", "GetCallerIdentity", {}, SCOPE) == []


def test_an_operation_without_a_mapping_fails_loudly() -> None:
    assert "ecs:DeleteService" not in OPERATIONS
    with pytest.raises(UnmappedOperation, match="ecs:DeleteService"):
        permissions_for("ecs", "DeleteService", {"cluster": "c", "service": "s"}, SCOPE)
    with pytest.raises(UnmappedOperation, match="no IAM prefix"):
        permissions_for("kinesis", "PutRecord", {}, SCOPE)
