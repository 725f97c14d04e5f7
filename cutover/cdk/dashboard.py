"""CloudWatch dashboard: traffic weight per side, what the judge compares (both sides' error
rate and p99 on one graph each), per-side health, deployments.

The judge's graphs use the metrics it reads (docs/analysis.md): the ALB's target-group metrics,
dimensions `LoadBalancer` and `TargetGroup` (CDK's `ApplicationTargetGroup.metrics`, which
needs the target group attached to the load balancer, as both sides are).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from cutover.shifter.contract import METRICS_NAMESPACE, SIDES, Side

# Emitted by the traffic shifter (Powertools Metrics) in METRICS_NAMESPACE; dimensions Service (+ Side).
WEIGHT_METRIC = "TrafficWeight"
DEPLOYMENT_METRICS = ("DeploymentsStarted", "DeploymentsSucceeded", "DeploymentsRolledBack")

MetricFor = Callable[[elbv2.ApplicationTargetGroup], cloudwatch.IMetric]


class Dashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service_name: str,
        target_groups: Mapping[Side, elbv2.ApplicationTargetGroup],
    ) -> None:
        super().__init__(scope, construct_id)
        minute = Duration.minutes(1)

        def per_side(title: str, metric_for: MetricFor) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(
                title=title, width=8, left=[metric_for(target_groups[side]) for side in SIDES]
            )

        weights = cloudwatch.GraphWidget(
            title="Traffic weight per side (%)",
            width=12,
            left=[
                cloudwatch.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name=WEIGHT_METRIC,
                    dimensions_map={"Service": service_name, "Side": side},
                    statistic="Maximum",
                    period=minute,
                    label=side,
                )
                for side in SIDES
            ],
            left_y_axis=cloudwatch.YAxisProps(min=0, max=100),
        )
        deployments = cloudwatch.GraphWidget(
            title="Deployments",
            width=12,
            left=[
                cloudwatch.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name=name,
                    dimensions_map={"Service": service_name},
                    statistic="Sum",
                    period=Duration.hours(1),
                )
                for name in DEPLOYMENT_METRICS
            ],
        )
        error_rates = cloudwatch.GraphWidget(
            title=ERROR_RATE_TITLE,
            width=12,
            left=[error_rate(side, target_groups[side], minute) for side in SIDES],
            left_y_axis=cloudwatch.YAxisProps(min=0),
        )
        p99 = cloudwatch.GraphWidget(
            title=P99_TITLE,
            width=12,
            left=[
                target_groups[side].metrics.target_response_time(period=minute, statistic="p99", label=f"{side} p99")
                for side in SIDES
            ],
            left_y_axis=cloudwatch.YAxisProps(min=0),
        )
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"cutover-{service_name}",
            widgets=[
                [weights, deployments],
                [error_rates, p99],
                [
                    per_side(
                        "Target 5xx per side",
                        lambda tg: tg.metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=minute),
                    ),
                    per_side(
                        "Requests per side (the judge's minimums count these)",
                        lambda tg: tg.metrics.request_count(period=minute),
                    ),
                    per_side("Healthy targets per side", lambda tg: tg.metrics.healthy_host_count(period=minute)),
                ],
            ],
        )


ERROR_RATE_TITLE = "Judge: 5xx error rate per side (%)"
P99_TITLE = "Judge: p99 response time per side (s)"


def error_rate(side: Side, target_group: elbv2.ApplicationTargetGroup, period: Duration) -> cloudwatch.MathExpression:
    """100 * HTTPCode_Target_5XX_Count / RequestCount per 60 s period, the rate the judge tests.

    Metric math (CloudWatch User Guide, "Using math expressions with CloudWatch metrics"): an
    expression refers to the graph's metrics by id, ids hold letters, numbers and underscores and
    start with a lower-case letter, unique within the graph (hence the side in each), at most 500
    metrics and expressions per graph; FILL(m, 0) fills a metric's missing periods with 0. The
    dashboard body's metrics array holds raw metrics and expressions alike (CloudWatch API
    reference, "Metric Widget Structure and Syntax"); CDK's MathExpression renders the ids of
    `using_metrics` and hides them (its docs, "MathExpressionProps").
    As the judge counts (docs/analysis.md, "Missing data"): the ALB publishes the 5xx count only
    when it is non-zero, so a period with requests and no 5xx datapoint is 0 errors (FILL); a
    period with no RequestCount has no traffic, and the division leaves it without a value.
    """
    errors, requests = f"errors_{side}", f"requests_{side}"
    return cloudwatch.MathExpression(
        expression=f"100 * FILL({errors}, 0) / {requests}",
        using_metrics={
            errors: target_group.metrics.http_code_target(
                elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=period, statistic="Sum"
            ),
            requests: target_group.metrics.request_count(period=period, statistic="Sum"),
        },
        label=f"{side} error rate",
        period=period,
    )
