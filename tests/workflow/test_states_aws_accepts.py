"""States that cannot fail outside a Catch on AWS (issue 12, section 2).

Faked, as AWS does it and moto does not: Lambda's service throttling the workflow function
(HTTP 429 TooManyRequestsException), whose error Step Functions reports with a plain-text
Cause, not the JSON Cause of a function error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda_simple import models as lambda_models

from cutover.local.runtime import LocalCutover
from cutover.shifter.contract import StepName

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
THROTTLED = "Rate exceeded"


class TooManyRequests(LambdaClientError):
    code = 429

    def __init__(self) -> None:
        super().__init__("TooManyRequestsException", THROTTLED)


def test_a_plain_text_cause_before_the_lock_ends_failed_with_that_cause(
    cutover: LocalCutover, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = lambda_models.LambdaSimpleBackend.invoke

    def throttled_validate(self: Any, function_name: str, qualifier: Any, body: Any, *args: Any) -> Any:
        if body and json.loads(body).get("step") == StepName.VALIDATE:
            raise TooManyRequests
        return original(self, function_name, qualifier, body, *args)

    monkeypatch.setattr(lambda_models.LambdaSimpleBackend, "invoke", throttled_validate)
    execution = cutover.run({"image": IMAGE_V2}, "throttled-validate")
    assert execution.status == "FAILED"
    assert execution.error != "States.Runtime", execution.cause  # the Pass state's intrinsic failed
    assert execution.cause == THROTTLED
    assert cutover.lock() is None and cutover.weights() == {"blue": 100, "green": 0}
