"""The EventBridge targets (alarm events, execution events) keep what they could not deliver in
an encrypted, TLS-only dead-letter queue, and its first message alarms on the deployment topic."""

from __future__ import annotations

from typing import Any

import pytest

from tests.synth import resources_of_type, synth

STACK = "cutover-demo"


def template() -> dict[str, Any]:
    return synth()[STACK]


def rule_targets(t: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Rule logical id -> its one target."""
    found = {}
    for rule_id, rule in resources_of_type(t, "AWS::Events::Rule").items():
        (target,) = rule["Properties"]["Targets"]
        found[rule_id] = target
    return found


def queue_policy(t: dict[str, Any], queue_id: str) -> list[dict[str, Any]]:
    for policy in resources_of_type(t, "AWS::SQS::QueuePolicy").values():
        if {"Ref": queue_id} in policy["Properties"]["Queues"]:
            statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
            return statements
    raise AssertionError(f"no queue policy for {queue_id}")


@pytest.mark.parametrize("handler", ["alarm_event", "execution_event"])
def test_each_event_target_has_an_encrypted_tls_only_dead_letter_queue(handler: str) -> None:
    t = template()
    function_id = next(
        k
        for k, f in resources_of_type(t, "AWS::Lambda::Function").items()
        if f["Properties"].get("Handler") == f"cutover.shifter.handlers.{handler}.handler"
    )
    rule_id, target = next((r, tg) for r, tg in rule_targets(t).items() if tg["Arn"]["Fn::GetAtt"][0] == function_id)
    queue_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    queue = t["Resources"][queue_id]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"].get("SqsManagedSseEnabled") is True
    statements = queue_policy(t, queue_id)
    assert {
        "Action": "sqs:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
    } in statements
    (send,) = [s for s in statements if s["Effect"] == "Allow"]
    assert send["Principal"] == {"Service": "events.amazonaws.com"} and send["Action"] == "sqs:SendMessage"
    assert send["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}}


def test_a_message_in_either_dead_letter_queue_alarms_on_the_deployment_topic() -> None:
    t = template()
    queues = {tg["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0] for tg in rule_targets(t).values()}
    assert len(queues) == 2
    (topic_id,) = resources_of_type(t, "AWS::SNS::Topic")
    watched = {}
    for alarm in resources_of_type(t, "AWS::CloudWatch::Alarm").values():
        properties = alarm["Properties"]
        if properties.get("Namespace") != "AWS/SQS":
            continue
        (dimension,) = properties["Dimensions"]
        watched[dimension["Value"]["Fn::GetAtt"][0]] = properties
    assert set(watched) == queues
    for properties in watched.values():
        assert properties["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert (properties["Threshold"], properties["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
        assert properties["AlarmActions"] == [{"Ref": topic_id}]


def test_an_event_the_function_itself_fails_on_ends_in_the_same_queue() -> None:
    t = template()
    queue_of = {tg["Arn"]["Fn::GetAtt"][0]: tg["DeadLetterConfig"]["Arn"] for tg in rule_targets(t).values()}
    configs = resources_of_type(t, "AWS::Lambda::EventInvokeConfig").values()
    destinations = {c["Properties"]["FunctionName"]["Ref"]: c["Properties"] for c in configs}
    assert set(destinations) == set(queue_of)
    for function_id, properties in destinations.items():
        assert properties["DestinationConfig"]["OnFailure"]["Destination"] == queue_of[function_id]
        assert properties["MaximumRetryAttempts"] == 2
