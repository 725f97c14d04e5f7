"""The workflow harness: the synthesized local template created in moto, its real state
machine run by moto's interpreter, our handlers invoked in-process (cutover/local/).

Faked, because AWS would do it and moto does not: ECS registering tasks in target groups,
CloudWatch evaluating alarms (tests set alarm states), EventBridge delivering alarm events
(tests deliver them), the ALB's data plane (a stand-in serves the test route). Wait states
and Retry back-off are compressed and recorded, not slept."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from moto import mock_aws
from moto.core.config import DefaultConfig

from cutover.local import runtime
from cutover.local.runtime import LocalCutover
from cutover.local.time_compression import TimeRecorder
from stacks.test_route import LOCAL_TEST_TOKEN
from tests.synth import synth_assembly
from tests.workflow.canary_route import CanaryRouteStandIn

REGION = "eu-west-1"
STACK = "cutover-demo"
MOTO_CONFIG: DefaultConfig = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


@pytest.fixture
def recorder() -> TimeRecorder:
    recorded = runtime.install(time_scale=0.001)
    recorded.waits.clear()
    recorded.retry_sleeps.clear()
    return recorded


@pytest.fixture
def test_route() -> Iterator[CanaryRouteStandIn]:
    stand_in = CanaryRouteStandIn(token=LOCAL_TEST_TOKEN)
    yield stand_in
    stand_in.close()


@pytest.fixture
def cutover(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: CanaryRouteStandIn
) -> Iterator[LocalCutover]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    for noisy in ("moto", "botocore", "aws_lambda_powertools"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    assembly = synth_assembly(local=True)
    with mock_aws(config=MOTO_CONFIG):
        local = LocalCutover(assembly, STACK, REGION)
        local.create()
        local.point_smoke_tests_at(test_route.url)
        runtime.lambda_runtime.invocations.clear()
        yield local
