"""IAM is enforced in the demo's server mode too: our Lambda code, invoked in-process by
the moto server, calls that server over HTTP, and each call is checked where its botocore
client sends it (cutover/local/iam_enforcement.py). The template is edited in one test,
as a user's template missing a grant would be."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from moto.core.config import default_user_config
from moto.server import ThreadedMotoServer

from cutover.local import runtime
from cutover.local.runtime import LocalCutover
from cutover.local.stage import free_port
from tests.synth import synth_assembly

REGION = "eu-west-1"
ALARM_EVENT = {
    "version": "0",
    "id": "local-event",
    "detail-type": "CloudWatch Alarm State Change",
    "source": "aws.cloudwatch",
    "account": "123456789012",
    "time": "2026-12-01T00:00:00Z",
    "region": REGION,
    "resources": [],
    "detail": {"alarmName": "cutover-demo-green-5xx", "state": {"value": "ALARM", "reason": "r"}},
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto_server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
        "MOTO_PORT": str(port),
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setitem(default_user_config, "lambda", {"use_docker": False})
    runtime.install()
    # The server's backends are the process's: start from an empty local AWS.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
    try:
        yield endpoint
    finally:
        moto_server.stop()


def created(edit: Any = None) -> LocalCutover:
    local = LocalCutover(synth_assembly(local=True), "cutover-demo", REGION)
    if edit is not None:
        edit(local.stack.template)
    local.create()
    return local


def invoke_alarm_events(local: LocalCutover) -> dict[str, Any]:
    response = local.client("lambda").invoke(
        FunctionName=local.outputs["AlarmEventsFunctionName"], Payload=json.dumps(ALARM_EVENT).encode()
    )
    payload: dict[str, Any] = json.loads(response["Payload"].read())
    return {"function_error": response.get("FunctionError"), **payload}


def test_a_lambda_call_over_http_is_checked_against_its_role(server: str) -> None:
    local = created()
    answer = invoke_alarm_events(local)
    assert answer == {"function_error": None, "action": "ignored", "reason": "no deployment running"}
    table = f"arn:aws:dynamodb:{REGION}:{local.account}:table/{local.outputs['TableName']}"
    assert ("dynamodb:GetItem", table) in runtime.iam.checked
    assert runtime.iam.denials == [] and runtime.iam.problems == []


def without_alarm_events_get_item(template: dict[str, Any]) -> None:
    (policy,) = [
        r["Properties"]["PolicyDocument"]
        for logical_id, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and "AlarmEventsRoleDefaultPolicy" in logical_id
    ]
    for statement in policy["Statement"]:
        if isinstance(statement["Action"], list) and "dynamodb:GetItem" in statement["Action"]:
            statement["Action"] = [a for a in statement["Action"] if a != "dynamodb:GetItem"]


def test_a_call_its_role_does_not_allow_fails_with_access_denied_in_server_mode(server: str) -> None:
    local = created(without_alarm_events_get_item)
    answer = invoke_alarm_events(local)
    assert answer["function_error"] == "Unhandled"
    assert answer["errorType"] == "ClientError"
    assert "(AccessDeniedException)" in answer["errorMessage"]
    assert "is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:" in answer["errorMessage"]
