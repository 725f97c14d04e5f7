"""CloudWatch dashboard: traffic weight per side, per-side health, deployments."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from shifter.contract import SIDES, Side

# Emitted by the traffic shifter (Powertools Metrics); dimensions Service (+ Side).
METRIC_NAMESPACE = "Cutover"
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
                    namespace=METRIC_NAMESPACE,
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
                    namespace=METRIC_NAMESPACE,
                    metric_name=name,
                    dimensions_map={"Service": service_name},
                    statistic="Sum",
                    period=Duration.hours(1),
                )
                for name in DEPLOYMENT_METRICS
            ],
        )
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"cutover-{service_name}",
            widgets=[
                [weights, deployments],
                [
                    per_side(
                        "Target 5xx per side",
                        lambda tg: tg.metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=minute),
                    ),
                    per_side(
                        "p99 latency per side (s)",
                        lambda tg: tg.metrics.target_response_time(period=minute, statistic="p99"),
                    ),
                    per_side("Healthy targets per side", lambda tg: tg.metrics.healthy_host_count(period=minute)),
                ],
            ],
        )
