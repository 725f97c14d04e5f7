"""CloudWatch alarm states and Step Functions task tokens against moto."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cutover.shifter.adapters.alarms import CloudWatchAlarms
from cutover.shifter.adapters.task_tokens import StepFunctionsTaskTokens
from cutover.shifter.adapters.transient import is_transient
from cutover.shifter.logic.traffic import AlarmStatus
from tests.unit.shifter.adapters.aws_answers import answer_with_error
from tests.unit.shifter.readers.moto_clients import calls, client


def alarm(cloudwatch: object, name: str) -> None:
    cloudwatch.put_metric_alarm(  # type: ignore[attr-defined]
        AlarmName=name,
        MetricName="HTTPCode_Target_5XX_Count",
        Namespace="AWS/ApplicationELB",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def test_alarm_states_are_read_with_their_reason_and_unknown_names_are_left_out() -> None:
    """moto has no composite alarms (PutCompositeAlarm is not implemented), so only metric alarms here."""
    cloudwatch = client("cloudwatch")
    alarm(cloudwatch, "green-5xx")
    alarm(cloudwatch, "blue-5xx")
    cloudwatch.set_alarm_state(AlarmName="green-5xx", StateValue="ALARM", StateReason="5xx above 1 %")
    cloudwatch.set_alarm_state(AlarmName="blue-5xx", StateValue="OK", StateReason="quiet")

    states = CloudWatchAlarms(cloudwatch).alarm_states(["green-5xx", "blue-5xx", "gone", "green-5xx"])
    assert states == {
        "green-5xx": AlarmStatus("ALARM", "5xx above 1 %"),
        "blue-5xx": AlarmStatus("OK", "quiet"),
    }


def test_more_than_a_hundred_alarms_are_asked_for_in_batches_of_a_hundred() -> None:
    """DescribeAlarms takes at most 100 AlarmNames (CloudWatch API Reference, DescribeAlarms:
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html;
    botocore's model: AlarmNames max 100); moto does not enforce it, so the requests are checked."""
    cloudwatch = client("cloudwatch")
    names = [f"alarm-{i:03}" for i in range(101)]
    for name in names:
        alarm(cloudwatch, name)
    sent = calls(cloudwatch, "DescribeAlarms")
    assert set(CloudWatchAlarms(cloudwatch).alarm_states(names)) == set(names)
    assert [len(request["AlarmNames"]) for request in sent] == [100, 1]


def test_a_token_is_completed_once_and_a_gone_token_is_not_an_error() -> None:
    """moto accepts any token; Step Functions answers TaskTimedOut, InvalidToken or
    TaskDoesNotExist for a token whose task is over (Step Functions API Reference, Errors of
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html and
    API_SendTaskFailure.html), given here as AWS would."""
    sfn = client("stepfunctions")
    tokens = StepFunctionsTaskTokens(sfn)
    sent = calls(sfn, "SendTaskFailure")
    assert tokens.succeed("token-1", {"promoted": True})
    assert tokens.fail("token-1", "AlarmFired", "x" * 40_000)
    # SendTaskFailure's cause is at most 32,768 characters (API_SendTaskFailure.html, cause).
    assert len(sent[0]["cause"]) == 32_768

    answer_with_error(sfn, "SendTaskSuccess", "TaskTimedOut")
    answer_with_error(sfn, "SendTaskFailure", "InvalidToken")
    assert not tokens.succeed("token-2", {})
    assert not tokens.fail("token-2", "AlarmFired", "too late")


def test_a_throttled_token_call_is_raised_for_the_retry() -> None:
    sfn = client("stepfunctions")
    tokens = StepFunctionsTaskTokens(sfn)
    answer_with_error(sfn, "SendTaskSuccess", "ThrottlingException")
    answer_with_error(sfn, "SendTaskFailure", "ThrottlingException")
    attempts: tuple[Callable[[], bool], ...] = (
        lambda: tokens.succeed("token-1", {}),
        lambda: tokens.fail("token-1", "AlarmFired", "cause"),
    )
    for attempt in attempts:
        with pytest.raises(Exception) as raised:
            attempt()
        assert is_transient(raised.value)
