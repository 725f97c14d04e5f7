"""Per-side CloudWatch alarms on that side's target group, named predictably.

The shifter watches only the alarms of the side receiving new traffic (plus the
user-declared global alarms): an alarm already firing on the old side must never
block shipping the fix.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from cutover.config import AlarmThresholds
from cutover.shifter.contract import Side

ALARM_KINDS = ("5xx", "latency-p99", "unhealthy-hosts")


def alarm_name(service_name: str, side: Side, kind: str) -> str:
    return f"cutover-{service_name}-{side}-{kind}"


class SideAlarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service_name: str,
        side: Side,
        target_group: elbv2.ApplicationTargetGroup,
        thresholds: AlarmThresholds,
    ) -> None:
        super().__init__(scope, construct_id)
        period = Duration.seconds(thresholds.period_seconds)
        metrics = target_group.metrics
        specs: list[tuple[str, cloudwatch.Metric, float, cloudwatch.ComparisonOperator, str]] = [
            (
                "5xx",
                metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=period, statistic="Sum"),
                thresholds.http_5xx_count,
                cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                f"{side}: target 5xx responses >= {thresholds.http_5xx_count} per {thresholds.period_seconds}s",
            ),
            (
                "latency-p99",
                metrics.target_response_time(period=period, statistic="p99"),
                thresholds.latency_p99_ms / 1000,  # the metric is in seconds
                cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                f"{side}: p99 target response time > {thresholds.latency_p99_ms} ms",
            ),
            (
                "unhealthy-hosts",
                metrics.unhealthy_host_count(period=period, statistic="Maximum"),
                thresholds.unhealthy_hosts,
                cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                f"{side}: unhealthy targets >= {thresholds.unhealthy_hosts}",
            ),
        ]
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for kind, metric, threshold, comparison, description in specs:
            self.alarms[kind] = cloudwatch.Alarm(
                self,
                kind,
                alarm_name=alarm_name(service_name, side, kind),
                alarm_description=f"Cutover {service_name} {description}",
                metric=metric,
                threshold=threshold,
                comparison_operator=comparison,
                evaluation_periods=thresholds.evaluation_periods,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
