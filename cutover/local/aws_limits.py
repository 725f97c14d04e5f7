"""Limits AWS enforces on requests that moto accepts: local AWS refuses them the same way.

Patched into moto's backends (so both the API and moto's CloudFormation, which calls the
same backend methods, are covered) by `apply`, which moto_patches.apply() calls.
Each check cites the documented rule; docs/aws-fidelity.md lists them.
"""

from __future__ import annotations

from typing import Any

from moto.cloudwatch import models as cloudwatch_models
from moto.cloudwatch.exceptions import ValidationError as CloudWatchValidationError
from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import InvalidConditionValueError

# ALB guide, rule condition types: "You can specify up to three match evaluations per
# condition. You can specify up to five match evaluations per rule."
VALUES_PER_CONDITION = 3
VALUES_PER_RULE = 5
# CloudWatch PutMetricAlarm, Period: "Valid values are 10, 20, 30, and any multiple of 60" and
# "Period multiplied by EvaluationPeriods can't be more than 604,800 seconds. For alarms with a
# period of less than one hour (3,600 seconds), the total evaluation period can't be longer
# than one day (86,400 seconds)."
HIGH_RESOLUTION_PERIODS = (10, 20, 30)
RANGE_SECONDS = 604_800
RANGE_SUB_HOUR_SECONDS = 86_400

_CONFIGS = (
    "HostHeaderConfig",
    "HttpHeaderConfig",
    "HttpRequestMethodConfig",
    "PathPatternConfig",
    "QueryStringConfig",
    "SourceIpConfig",
)


def condition_values(condition: dict[str, Any]) -> int:
    """The match evaluations of one condition: its config's values, else the legacy Values."""
    for key in _CONFIGS:
        if key in condition:
            return len(condition[key].get("Values", []))
    return len(condition.get("Values", []))


def check_rule_conditions(conditions: list[dict[str, Any]]) -> None:
    counts = [condition_values(condition) for condition in conditions]
    if any(count > VALUES_PER_CONDITION for count in counts):
        raise InvalidConditionValueError(f"A condition can only have '{VALUES_PER_CONDITION}' values")
    if sum(counts) > VALUES_PER_RULE:
        # The message AWS returns (aws-cloudformation/cfn-lint#3833, aws/aws-cdk#10065).
        raise InvalidConditionValueError(f"A rule can only have '{VALUES_PER_RULE}' condition values")


def check_alarm_period(period: int, evaluation_periods: int) -> None:
    if period not in HIGH_RESOLUTION_PERIODS and (period <= 0 or period % 60):
        raise CloudWatchValidationError(f"Period {period} must be 10, 20, 30 or a multiple of 60")
    limit = RANGE_SECONDS if period >= 3_600 else RANGE_SUB_HOUR_SECONDS
    if period * evaluation_periods > limit:
        raise CloudWatchValidationError(
            f"Period x EvaluationPeriods ({period * evaluation_periods} s) must not exceed {limit} s"
        )


_original_validate_conditions = elbv2_models.ELBv2Backend._validate_conditions
_original_put_metric_alarm = cloudwatch_models.CloudWatchBackend.put_metric_alarm


def _validate_conditions(self: Any, conditions: list[dict[str, Any]]) -> None:
    _original_validate_conditions(self, conditions)
    check_rule_conditions(conditions)


def _put_metric_alarm(self: Any, *args: Any, **kwargs: Any) -> Any:
    if kwargs.get("period") is not None:  # metric-math alarms give a period per query instead
        check_alarm_period(int(kwargs["period"]), int(kwargs["evaluation_periods"]))
    return _original_put_metric_alarm(self, *args, **kwargs)


def apply() -> None:
    """Idempotent."""
    elbv2_models.ELBv2Backend._validate_conditions = _validate_conditions  # type: ignore[method-assign]
    cloudwatch_models.CloudWatchBackend.put_metric_alarm = _put_metric_alarm  # type: ignore[method-assign]
