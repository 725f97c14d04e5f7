"""One cold-start sample, run in a fresh interpreter by bench/lambda_figure.py:
`python -m bench.cold_start_child workflow|alarm_event` prints one JSON line.

1. import the handler module (timed: our code, Powertools, pydantic, boto3, as at a cold start);
2. start moto in-process and create the deployment table (not timed);
3. call the handler once with a representative event (timed: the first invocation, which
   builds the parsed environment and the first boto3 client):
   - workflow: step `validate` of a canary deploy, then `acquire_lock` with its output (the
     first step that calls AWS: a DynamoDB PutItem);
   - alarm_event: a "CloudWatch Alarm State Change" event with no deployment running (a
     DynamoDB GetItem, then "ignored").

Only the standard library is imported before the timed import.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

ACCOUNT = "123456789012"
REGION = "eu-west-1"
TABLE = "cutover-demo-deployments"
EXECUTION = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:cutover-demo:cold-start"
_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}"
# What cutover/cdk/shifter_functions.py sets on the functions (values shaped like the real ones; the
# names are cutover.shifter.contract.Env, spelt out here: tests/unit/shifter/test_contract.py checks them).
ENVIRONMENT = {
    "CUTOVER_SERVICE": "demo",
    "CUTOVER_CLUSTER": "cutover-demo",
    "CUTOVER_LISTENER_ARN": f"{_ARN}:listener/app/cutover-demo/0123456789abcdef/0123456789abcdef",
    "CUTOVER_TABLE": TABLE,
    "CUTOVER_TOPIC_ARN": f"arn:aws:sns:{REGION}:{ACCOUNT}:cutover-demo",
    "CUTOVER_LIVE_STATE_PREFIX": "/cutover/demo",
    "CUTOVER_SERVICES": json.dumps({"blue": "demo-blue", "green": "demo-green"}),
    "CUTOVER_TARGET_GROUPS": json.dumps(
        {side: f"{_ARN}:targetgroup/demo-{side}/0123456789abcdef" for side in ("blue", "green")}
    ),
    "CUTOVER_TEMPLATE_TASK_DEFINITIONS": json.dumps(
        {side: f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/demo-{side}:1" for side in ("blue", "green")}
    ),
    "CUTOVER_SIDE_ALARMS": json.dumps(
        {
            side: [f"cutover-demo-{side}-{kind}" for kind in ("5xx", "latency-p99", "unhealthy-hosts")]
            for side in ("blue", "green")
        }
    ),
    "CUTOVER_GLOBAL_ALARMS": "[]",
    "CUTOVER_CONTAINER_NAME": "app",
    # The execution role may pull the deployed image's repository (cutover/cdk/image_pull.py).
    "CUTOVER_ECR_REPOSITORIES": json.dumps([f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/app"]),
    "CUTOVER_BASE_URL": "http://cutover-demo.eu-west-1.elb.amazonaws.com",
    "CUTOVER_TEST_TOKEN_SECRET_ARN": "",
    "CUTOVER_STICKINESS_SECONDS": "",
    "CUTOVER_AUTOSCALING": "false",
    "CUTOVER_DEFAULTS": json.dumps(
        {
            "strategy": "canary",
            "canary_weight": 10,
            "linear_step": 20,
            "bake_seconds": 300,
            "termination_wait_seconds": 900,
            "poll_interval_seconds": 60,
            "alb_propagation_seconds": 60,
            "max_pause_seconds": 86400,
            "health_check_path": "/",
        }
    ),
    "POWERTOOLS_METRICS_NAMESPACE": "Cutover",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "CRITICAL",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@dataclass
class Context:
    function_name: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    invoked_function_arn: str = ""
    aws_request_id: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _alarm_event() -> dict[str, Any]:
    now = "2024-01-01T00:00:00.000Z"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "time": now,
        "region": REGION,
        "resources": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:cutover-demo-green-5xx"],
        "detail": {
            "alarmName": "cutover-demo-green-5xx",
            "state": {"value": "ALARM", "reason": "threshold crossed", "timestamp": now},
            "previousState": {"value": "OK", "reason": "", "timestamp": now},
            "configuration": {"metrics": []},
        },
    }


def sample(handler_name: str) -> dict[str, float]:
    os.environ.update(ENVIRONMENT)
    started = time.perf_counter()
    module = importlib.import_module(f"cutover.shifter.handlers.{handler_name}")
    import_ms = (time.perf_counter() - started) * 1000

    import boto3
    from moto import mock_aws

    from cutover.local.deployment_table import create_deployment_table

    with mock_aws():
        # Its own session, so the handler's first client loads its service model as on AWS.
        create_deployment_table(boto3.session.Session(region_name=REGION).client("dynamodb"), TABLE)
        context = Context(function_name=f"cutover-demo-{handler_name}", aws_request_id=str(uuid.uuid4()))
        if handler_name == "workflow":
            event: dict[str, Any] = {
                "step": "validate",
                "execution": EXECUTION,
                "input": {"image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:v2", "strategy": "canary"},
            }
        else:
            event = _alarm_event()
        started = time.perf_counter()
        output = module.handler(event, context)
        first_ms = (time.perf_counter() - started) * 1000
        second_ms = 0.0
        if handler_name == "workflow":
            started = time.perf_counter()
            module.handler({"step": "acquire_lock", "execution": EXECUTION, "state": output}, context)
            second_ms = (time.perf_counter() - started) * 1000
        elif output.get("action") != "ignored":
            raise RuntimeError(f"unexpected answer: {output}")
    return {"import_ms": import_ms, "first_invoke_ms": first_ms, "first_aws_step_ms": second_ms}


if __name__ == "__main__":
    print(json.dumps(sample(sys.argv[1])))
