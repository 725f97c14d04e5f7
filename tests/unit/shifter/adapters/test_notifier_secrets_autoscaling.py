"""SNS notifications, the test-route secret and a side's scaling bounds, against moto."""

from __future__ import annotations

import json

from cutover.shifter.adapters.autoscaling import ApplicationAutoScaling
from cutover.shifter.adapters.notifier import SUBJECT_LIMIT, SnsNotifier
from cutover.shifter.adapters.secrets import SecretsManagerSecrets
from tests.unit.shifter.adapters.test_ecs_service import cluster
from tests.unit.shifter.readers.moto_clients import client


def test_a_notification_arrives_with_a_subject_sns_accepts_and_a_json_body() -> None:
    sns, sqs = client("sns"), client("sqs")
    topic = sns.create_topic(Name="deployments")["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    long_subject = "demo: deploy of app:v2 rolled back " + "because the green side alarmed " * 5
    SnsNotifier(sns).publish(topic, long_subject, {"outcome": "rolled_back", "at": 3})

    envelope = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])
    # SNS API reference, Publish, Subject: "less than 100 characters long" (moto accepts any
    # length, so the cut is what is checked).
    assert envelope["Subject"] == long_subject[:SUBJECT_LIMIT]
    assert len(envelope["Subject"]) == 99 < len(long_subject)
    assert json.loads(envelope["Message"]) == {"outcome": "rolled_back", "at": 3}


def test_the_test_route_token_is_the_secrets_string() -> None:
    secrets = client("secretsmanager")
    arn = secrets.create_secret(Name="cutover/demo/test-token", SecretString="s3cr3t")["ARN"]
    assert SecretsManagerSecrets(secrets).secret_string(arn) == "s3cr3t"


def test_a_sides_bounds_are_registered_on_its_service() -> None:
    cluster()  # Application Auto Scaling checks that the ECS service exists
    scaling = client("application-autoscaling")
    ApplicationAutoScaling(scaling).set_bounds("cluster", "app-green", 2, 6)
    ApplicationAutoScaling(scaling).set_bounds("cluster", "app-green", 0, 0)  # a scaled-down side
    targets = scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [
        ("service/cluster/app-green", 0, 0)
    ]
