"""The workflow harness: the synthesized local template created in moto, its real state
machine run by moto's interpreter, our handlers invoked in-process (cutover/local/).

Faked, because AWS would do it and moto does not: ECS registering tasks in target groups,
CloudWatch evaluating alarms (tests set alarm states), EventBridge delivering alarm events
(tests deliver them), the ALB's data plane (a stand-in serves the test route). Wait states
and Retry back-off are compressed and recorded, not slept."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from moto import mock_aws

from cutover.cdk.test_route import LOCAL_TEST_TOKEN
from cutover.local import runtime
from cutover.local.gc_pauses import frozen_heap
from cutover.local.loaded_stack import MOTO_CONFIG
from cutover.local.repositories import LOCAL_ECR_REPOSITORIES
from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from tests.synth import synth_assembly

REGION = "eu-west-1"
STACK = "cutover-demo"


@pytest.fixture
def recorder() -> TimeRecorder:
    recorded = runtime.install(time_scale=0.001)
    recorded.waits.clear()
    recorded.retry_sleeps.clear()
    return recorded


@pytest.fixture
def test_route() -> Iterator[TestRouteStandIn]:
    stand_in = TestRouteStandIn(token=LOCAL_TEST_TOKEN)
    yield stand_in
    stand_in.close()


@contextmanager
def local_cutover(
    monkeypatch: pytest.MonkeyPatch,
    test_route: TestRouteStandIn,
    edit_template: Callable[[dict[str, Any]], None] | None = None,
    **context: Any,
) -> Iterator[LocalCutover]:
    """The stack synthesized with `context` (cached per context), created in a fresh moto;
    `edit_template` may change the template first (as a user's own template would differ)."""
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
    for key, value in credentials.items():
        monkeypatch.setenv(key, value)
    for noisy in ("moto", "botocore", "aws_lambda_powertools"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    assembly = synth_assembly(**{"local": True, "ecr_repositories": list(LOCAL_ECR_REPOSITORIES), **context})
    with mock_aws(config=MOTO_CONFIG):
        local = LocalCutover(assembly, STACK, REGION)
        if edit_template is not None:
            edit_template(local.stack.template)
        local.create()
        assert runtime.iam.enabled and runtime.iam.identities, "IAM must be enforced in every workflow test"
        local.point_smoke_tests_at(test_route.url)
        runtime.lambda_runtime.invocations.clear()
        with frozen_heap():  # no full collection pauses the whole local AWS for long (gc_pauses)
            yield local
        # IAM is enforced on every call our Lambdas made (cutover/local/iam_enforcement.py);
        # a call it could not check is a harness defect, not a pass.
        assert runtime.iam.problems == [], runtime.iam.problems


@pytest.fixture
def cutover(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: TestRouteStandIn
) -> Iterator[LocalCutover]:
    with local_cutover(monkeypatch, test_route) as local:
        yield local


class Notifications:
    """What a subscriber to the deployment topic receives (an SQS queue subscribed to it)."""

    def __init__(self, cutover: LocalCutover) -> None:
        self._sqs = cutover.client("sqs")
        self._queue = self._sqs.create_queue(QueueName="cutover-notifications")["QueueUrl"]
        queue_arn = self._sqs.get_queue_attributes(QueueUrl=self._queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        cutover.client("sns").subscribe(TopicArn=cutover.outputs["TopicArn"], Protocol="sqs", Endpoint=queue_arn)
        self.received: list[dict[str, Any]] = []

    def messages(self) -> list[dict[str, Any]]:
        while True:
            batch = self._sqs.receive_message(QueueUrl=self._queue, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return self.received
            for message in batch:
                envelope = json.loads(message["Body"])
                self.received.append({"subject": envelope["Subject"], "body": json.loads(envelope["Message"])})
                self._sqs.delete_message(QueueUrl=self._queue, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def notifications(cutover: LocalCutover) -> Notifications:
    return Notifications(cutover)


def wait_for_lock(
    cutover: LocalCutover, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20.0
) -> dict[str, Any]:
    """Bounded wait until the running deployment's lock item satisfies `predicate`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lock = cutover.lock()
        if lock is not None and predicate(lock):
            return lock
        time.sleep(0.01)
    raise TimeoutError(f"lock never matched; last: {cutover.lock()}")


def request_on_lock(cutover: LocalCutover, request: str) -> None:
    """What a promote/abort leaves on the running deployment's lock item."""
    cutover.client("dynamodb").update_item(
        TableName=cutover.outputs["TableName"],
        Key={"pk": {"S": "SERVICE#demo"}, "sk": {"S": "LOCK"}},
        UpdateExpression="ADD requests :request",
        ExpressionAttributeValues={":request": {"SS": [request]}},
    )


def forward_to_a_foreign_target_group(cutover: LocalCutover, blue: int, foreign: int) -> str:
    """What someone else's change could leave on the production listener: part of the traffic
    forwarded to a target group in the same VPC that Cutover does not own. Returns its ARN."""
    elbv2 = cutover.client("elbv2")
    vpc = elbv2.describe_target_groups(TargetGroupArns=[cutover.outputs["BlueTargetGroupArn"]])["TargetGroups"][0][
        "VpcId"
    ]
    arn: str = elbv2.create_target_group(Name="someone-elses", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    groups = [
        {"TargetGroupArn": cutover.outputs["BlueTargetGroupArn"], "Weight": blue},
        {"TargetGroupArn": arn, "Weight": foreign},
    ]
    elbv2.modify_listener(
        ListenerArn=cutover.outputs["ListenerArn"],
        DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}],
    )
    return arn
