"""The local IAM evaluator decides as AWS documents it (cutover/local/iam_policy.py)."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.local.iam_policy import Outcome, UnsupportedPolicy, evaluate

LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/alb/1/2"
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/deployments"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def test_nothing_applies_is_an_implicit_deny() -> None:
    decision = evaluate([policy(allow("ecs:UpdateService"))], "ecs:DescribeServices", "*")
    assert decision.outcome is Outcome.IMPLICIT_DENY
    assert not decision.allowed
    assert decision.statement_index is None


def test_an_allow_names_the_statement_that_decided() -> None:
    decision = evaluate(
        [policy(allow("sns:Publish", "arn:aws:sns:eu-west-1:1:t")), policy({**allow("ecs:*"), "Sid": "Ecs"})],
        "ecs:UpdateService",
        "arn:aws:ecs:eu-west-1:1:service/c/s",
    )
    assert decision.allowed
    assert (decision.policy_index, decision.statement_index, decision.sid) == (1, 0, "Ecs")


def test_an_explicit_deny_wins_over_any_allow() -> None:
    deny = {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": TABLE}
    decision = evaluate([policy(allow("dynamodb:*", TABLE)), policy(deny)], "dynamodb:DeleteItem", TABLE)
    assert decision.outcome is Outcome.EXPLICIT_DENY
    assert decision.policy_index == 1


def test_statement_may_be_one_object_and_action_resource_plain_strings() -> None:
    document = {"Version": "2012-10-17", "Statement": allow("elasticloadbalancing:ModifyListener", LISTENER)}
    assert evaluate([document], "elasticloadbalancing:ModifyListener", LISTENER).allowed


@pytest.mark.parametrize(
    ("pattern", "action", "allowed"),
    [
        ("ecs:Describe*", "ecs:DescribeServices", True),
        ("ecs:Describe*", "ecs:UpdateService", False),
        ("ECS:describeservices", "ecs:DescribeServices", True),  # actions ignore case
        ("ecs:Describe?ervices", "ecs:DescribeServices", True),
        ("ecs:Describe?", "ecs:DescribeServices", False),  # ? is exactly one character
        ("*", "states:SendTaskFailure", True),
        ("ecs:[D]escribeServices", "ecs:DescribeServices", False),  # [] is not special in IAM
    ],
)
def test_action_wildcards(pattern: str, action: str, allowed: bool) -> None:
    assert evaluate([policy(allow(pattern))], action, "*").allowed is allowed


@pytest.mark.parametrize(
    ("pattern", "resource", "allowed"),
    [
        (
            "arn:aws:ecs:eu-west-1:1:task-definition/demo-blue:*",
            "arn:aws:ecs:eu-west-1:1:task-definition/demo-blue:7",
            True,
        ),
        (
            "arn:aws:ecs:eu-west-1:1:task-definition/demo-blue:*",
            "arn:aws:ecs:eu-west-1:1:task-definition/demo-green:7",
            False,
        ),
        ("arn:aws:logs:eu-west-1:1:log-group:G:*", "arn:aws:logs:eu-west-1:1:log-group:G:log-stream:s", True),
        ("arn:aws:ssm:eu-west-1:1:parameter/cutover/Demo", "arn:aws:ssm:eu-west-1:1:parameter/cutover/demo", False),
        ("arn:aws:*:eu-west-1:1:table/t", "arn:aws:dynamodb:eu-west-1:1:table/t", True),
    ],
)
def test_resource_wildcards_are_case_sensitive(pattern: str, resource: str, allowed: bool) -> None:
    assert evaluate([policy(allow("*", pattern))], "x:Y", resource).allowed is allowed


def test_not_action_allows_everything_else() -> None:
    statement = {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}
    assert evaluate([policy(statement)], "ecs:UpdateService", "*").allowed
    assert not evaluate([policy(statement)], "iam:PassRole", "*").allowed


def test_not_resource_allows_every_other_resource() -> None:
    statement = {"Effect": "Allow", "Action": "dynamodb:*", "NotResource": TABLE}
    assert evaluate([policy(statement)], "dynamodb:GetItem", TABLE + "x").allowed
    assert not evaluate([policy(statement)], "dynamodb:GetItem", TABLE).allowed


def test_a_deny_with_not_resource_denies_outside_it() -> None:
    deny = {"Effect": "Deny", "Action": "*", "NotResource": TABLE}
    decision = evaluate([policy(allow("*"), deny)], "dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:1:table/other")
    assert decision.outcome is Outcome.EXPLICIT_DENY


def test_a_statement_needs_exactly_one_of_action_and_not_action() -> None:
    with pytest.raises(UnsupportedPolicy):
        evaluate([policy({"Effect": "Allow", "Action": "a:B", "NotAction": "c:D", "Resource": "*"})], "a:B", "*")
    with pytest.raises(UnsupportedPolicy):
        evaluate([policy({"Effect": "Allow", "Resource": "*"})], "a:B", "*")


# ------------------------------------------------------------------ conditions

PASS_ROLE = allow(
    "iam:PassRole",
    "arn:aws:iam::1:role/exec",
    Condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
)


def test_string_equals_must_match_the_request_value() -> None:
    role = "arn:aws:iam::1:role/exec"
    assert evaluate(
        [policy(PASS_ROLE)], "iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    ).allowed
    assert not evaluate(
        [policy(PASS_ROLE)], "iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"}
    ).allowed


def test_a_condition_on_a_missing_key_is_false() -> None:
    assert not evaluate([policy(PASS_ROLE)], "iam:PassRole", "arn:aws:iam::1:role/exec").allowed


def test_condition_key_names_ignore_case() -> None:
    context = {"IAM:passedtoservice": "ecs-tasks.amazonaws.com"}
    assert evaluate([policy(PASS_ROLE)], "iam:PassRole", "arn:aws:iam::1:role/exec", context).allowed


def test_values_of_one_key_are_alternatives() -> None:
    statement = allow("s:A", Condition={"StringEquals": {"k": ["one", "two"]}})
    assert evaluate([policy(statement)], "s:A", "*", {"k": "two"}).allowed
    assert not evaluate([policy(statement)], "s:A", "*", {"k": "three"}).allowed


def test_all_keys_and_operators_must_hold() -> None:
    statement = allow("s:A", Condition={"StringEquals": {"a": "1", "b": "2"}, "Bool": {"aws:SecureTransport": "true"}})
    assert evaluate([policy(statement)], "s:A", "*", {"a": "1", "b": "2", "aws:SecureTransport": "true"}).allowed
    assert not evaluate([policy(statement)], "s:A", "*", {"a": "1", "b": "3", "aws:SecureTransport": "true"}).allowed
    assert not evaluate([policy(statement)], "s:A", "*", {"a": "1", "b": "2", "aws:SecureTransport": "false"}).allowed


def test_negated_operators_match_none_of_the_values_and_hold_when_the_key_is_missing() -> None:
    statement = allow("s:A", Condition={"StringNotEquals": {"k": ["one", "two"]}})
    assert evaluate([policy(statement)], "s:A", "*", {"k": "three"}).allowed
    assert not evaluate([policy(statement)], "s:A", "*", {"k": "two"}).allowed
    assert evaluate([policy(statement)], "s:A", "*", {}).allowed


def test_string_like_takes_wildcards_and_string_equals_does_not() -> None:
    like = allow("s:A", Condition={"StringLike": {"k": "cutover-*"}})
    equals = allow("s:A", Condition={"StringEquals": {"k": "cutover-*"}})
    assert evaluate([policy(like)], "s:A", "*", {"k": "cutover-demo"}).allowed
    assert not evaluate([policy(equals)], "s:A", "*", {"k": "cutover-demo"}).allowed
    assert not evaluate([policy(like)], "s:A", "*", {"k": "other"}).allowed


def test_string_equals_is_case_sensitive_unless_ignore_case() -> None:
    exact = allow("s:A", Condition={"StringEquals": {"k": "Blue"}})
    relaxed = allow("s:A", Condition={"StringEqualsIgnoreCase": {"k": "Blue"}})
    assert not evaluate([policy(exact)], "s:A", "*", {"k": "blue"}).allowed
    assert evaluate([policy(relaxed)], "s:A", "*", {"k": "blue"}).allowed


def test_arn_like_and_arn_equals() -> None:
    statement = allow("s:A", Condition={"ArnLike": {"aws:SourceArn": "arn:aws:events:eu-west-1:1:rule/*"}})
    exact = allow("s:A", Condition={"ArnEquals": {"aws:SourceArn": "arn:aws:events:eu-west-1:1:rule/r"}})
    assert evaluate([policy(statement)], "s:A", "*", {"aws:SourceArn": "arn:aws:events:eu-west-1:1:rule/r"}).allowed
    assert not evaluate([policy(statement)], "s:A", "*", {"aws:SourceArn": "arn:aws:sns:eu-west-1:1:t"}).allowed
    assert evaluate([policy(exact)], "s:A", "*", {"aws:SourceArn": "arn:aws:events:eu-west-1:1:rule/r"}).allowed


def test_bool_accepts_json_booleans_in_the_policy() -> None:
    statement = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": False}},
    }
    decision = evaluate([policy(allow("*"), statement)], "s:A", "*", {"aws:SecureTransport": "false"})
    assert decision.outcome is Outcome.EXPLICIT_DENY
    assert evaluate([policy(allow("*"), statement)], "s:A", "*", {"aws:SecureTransport": "true"}).allowed


def test_if_exists_holds_when_the_key_is_missing_and_checks_it_when_present() -> None:
    statement = allow("s:A", Condition={"StringEqualsIfExists": {"k": "v"}})
    assert evaluate([policy(statement)], "s:A", "*").allowed
    assert evaluate([policy(statement)], "s:A", "*", {"k": "v"}).allowed
    assert not evaluate([policy(statement)], "s:A", "*", {"k": "w"}).allowed


def test_null_checks_whether_the_key_is_present() -> None:
    absent = allow("s:A", Condition={"Null": {"k": "true"}})
    present = allow("s:A", Condition={"Null": {"k": "false"}})
    assert evaluate([policy(absent)], "s:A", "*").allowed
    assert not evaluate([policy(absent)], "s:A", "*", {"k": "v"}).allowed
    assert evaluate([policy(present)], "s:A", "*", {"k": "v"}).allowed


def test_for_any_value_needs_one_match_and_is_false_without_the_key() -> None:
    statement = allow("s:A", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}})
    assert evaluate([policy(statement)], "s:A", "*", {"aws:TagKeys": ["owner", "env"]}).allowed
    assert not evaluate([policy(statement)], "s:A", "*", {"aws:TagKeys": ["owner"]}).allowed
    assert not evaluate([policy(statement)], "s:A", "*").allowed


def test_for_all_values_needs_every_value_to_match_and_is_true_without_the_key() -> None:
    statement = allow("s:A", Condition={"ForAllValues:StringLike": {"aws:TagKeys": ["cutover:*"]}})
    assert evaluate([policy(statement)], "s:A", "*", {"aws:TagKeys": ["cutover:side", "cutover:service"]}).allowed
    assert not evaluate([policy(statement)], "s:A", "*", {"aws:TagKeys": ["cutover:side", "owner"]}).allowed
    assert evaluate([policy(statement)], "s:A", "*").allowed


def test_an_unknown_operator_raises_instead_of_allowing() -> None:
    statement = allow("s:A", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    with pytest.raises(UnsupportedPolicy, match="IpAddress"):
        evaluate([policy(statement)], "s:A", "*", {"aws:SourceIp": "10.1.2.3"})


def test_an_unknown_operator_raises_even_in_a_deny() -> None:
    statement = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "x"}},
    }
    with pytest.raises(UnsupportedPolicy):
        evaluate([policy(allow("*"), statement)], "s:A", "*")


def test_a_multi_valued_request_key_needs_a_set_operator() -> None:
    statement = allow("s:A", Condition={"StringEquals": {"aws:TagKeys": "a"}})
    with pytest.raises(UnsupportedPolicy, match="ForAnyValue"):
        evaluate([policy(statement)], "s:A", "*", {"aws:TagKeys": ["a", "b"]})


def test_policy_variables_and_principals_are_not_guessed() -> None:
    with pytest.raises(UnsupportedPolicy, match="variables"):
        evaluate([policy(allow("s:A", "arn:aws:s3:::b/${aws:username}/*"))], "s:A", "arn:aws:s3:::b/u/k")
    with pytest.raises(UnsupportedPolicy, match="resource-based"):
        evaluate([policy(allow("s:A", Principal={"AWS": "*"}))], "s:A", "*")
