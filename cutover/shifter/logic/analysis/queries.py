"""The GetMetricData request of one check: every metric of both sides, one call.

Limits it respects (CloudWatch API reference, GetMetricData; CloudWatch service quotas):
- "A GetMetricData operation that does not include a query can retrieve as many as 500
  different metrics in a single request, with a total of as many as 100,800 data points":
  MAX_QUERIES and MAX_DATAPOINTS, checked by `metric_data_request` (at most 2 x (4 + 20) = 48
  queries, and windows of at most MAX_WINDOW_PERIODS periods, so 48 x 2 x 360 = 34,560 points).
- GetMetricData's request rate: 50 transactions per second per Region by default (adjustable),
  shared by everything in the account and Region that calls it. One call per check per
  deployment: docs/analysis.md works out how many deployments that allows.
- `StartTime`/`EndTime` "that align with the value of the metric's Period" perform better and
  return whole periods: windows are whole, aligned 60 s periods (models.Window).
ALB target-group metrics (ALB guide, "CloudWatch metrics for your Application Load Balancer"):
namespace AWS/ApplicationELB, dimensions LoadBalancer (`app/<name>/<id>`) and TargetGroup
(`targetgroup/<name>/<id>`); RequestCount and HTTPCode_Target_5XX_Count with Sum,
TargetResponseTime (seconds) with percentiles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, Literal

from pydantic import Field

from cutover.shifter.contract import Side
from cutover.shifter.logic.analysis.models import (
    LATENCY_P50,
    LATENCY_P99,
    PERIOD_SECONDS,
    BaselineKind,
    JudgeConfig,
    Window,
    _Model,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import GetMetricDataInputTypeDef, MetricDataQueryTypeDef

MAX_QUERIES: Final = 500
MAX_DATAPOINTS: Final = 100_800
MAX_WINDOW_PERIODS: Final = 360  # the judge looks at the last 6 hours of a longer bake
ALB_NAMESPACE: Final = "AWS/ApplicationELB"

# What each query of a side reads: the traffic counts, or a metric's per-period values.
QueryKind = Literal["requests", "errors", "values"]


class AlbTargets(_Model):
    """The CloudWatch dimension values of the ALB and of each side's target group."""

    load_balancer: str = Field(pattern=r"^app/[^/]+/[0-9a-f]+$")
    target_groups: dict[Side, str]  # e.g. targetgroup/svc-blue/0123456789abcdef


def alb_targets(listener_arn: str, target_group_arns: Mapping[Side, str]) -> AlbTargets:
    """The dimension values from the ARNs. ALB guide, CloudWatch metrics: `LoadBalancer` is
    "app/<load-balancer-name>/<id>" and `TargetGroup` "targetgroup/<target-group-name>/<id>",
    the final portions of the load balancer's and the target group's ARNs."""
    _, _, listener = listener_arn.partition(":listener/")
    load_balancer = listener.rsplit("/", 1)[0]  # app/<name>/<id>/<listener id> without the listener id
    groups = {side: arn[arn.index("targetgroup/") :] for side, arn in target_group_arns.items()}
    return AlbTargets(load_balancer=load_balancer, target_groups=groups)


@dataclass(frozen=True)
class QueryPlan:
    """A check's GetMetricData request, and what each query id stands for."""

    request: GetMetricDataInputTypeDef
    meaning: dict[str, tuple[Side, QueryKind, str]]  # id -> (side, kind, metric)
    new_side: Side
    baseline_side: Side
    baseline_kind: BaselineKind
    new_window: Window
    baseline_window: Window


def _period_floor(moment: datetime) -> datetime:
    seconds = math.floor(moment.timestamp() / PERIOD_SECONDS) * PERIOD_SECONDS
    return datetime.fromtimestamp(seconds, tz=UTC)


def _period_ceil(moment: datetime) -> datetime:
    seconds = math.ceil(moment.timestamp() / PERIOD_SECONDS) * PERIOD_SECONDS
    return datetime.fromtimestamp(seconds, tz=UTC)


def check_windows(now: datetime, shifted_at: datetime, baseline_kind: BaselineKind) -> tuple[Window, Window] | None:
    """The new side's window and the baseline's, or None before the first whole period.

    The new side's window starts at the first whole period after the shift (a period that
    began before it mixes two weights) and ends before the period in progress. With
    "same-window" the baseline is the same window on the old side; with "before-shift" it is
    the old side's window of the same length ending at the period the shift happened in, and
    the new side's window is the first MAX_WINDOW_PERIODS after the shift at most.
    """
    longest = timedelta(seconds=MAX_WINDOW_PERIODS * PERIOD_SECONDS)
    end = _period_floor(now)
    first = _period_ceil(shifted_at)
    if baseline_kind == "same-window":
        start = max(first, end - longest)  # a long bake: its latest periods
    else:
        # The first periods after the shift, next to the baseline they are compared with (and
        # one call's span stays within MAX_DATAPOINTS however long the final wait is).
        start, end = first, min(end, first + longest)
    if end <= start:
        return None
    new = Window(start=start, end=end)
    if baseline_kind == "same-window":
        return new, new
    baseline_end = _period_floor(shifted_at)
    return new, Window(start=baseline_end - (end - start), end=baseline_end)


def _alb_query(query_id: str, metric_name: str, stat: str, targets: AlbTargets, side: Side) -> MetricDataQueryTypeDef:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": ALB_NAMESPACE,
                "MetricName": metric_name,
                "Dimensions": [
                    {"Name": "LoadBalancer", "Value": targets.load_balancer},
                    {"Name": "TargetGroup", "Value": targets.target_groups[side]},
                ],
            },
            "Period": PERIOD_SECONDS,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def query_id(side: Side, kind: QueryKind, metric: str) -> str:
    # Ids must start with a lower-case letter and hold only letters, digits and _.
    return f"{side}_{kind}" if kind != "values" else f"{side}_{metric}"


def metric_data_request(
    config: JudgeConfig,
    targets: AlbTargets,
    new_side: Side,
    windows: tuple[Window, Window],
    baseline_kind: BaselineKind,
) -> QueryPlan:
    baseline_side: Side = "blue" if new_side == "green" else "green"
    queries: list[MetricDataQueryTypeDef] = []
    meaning: dict[str, tuple[Side, QueryKind, str]] = {}
    for side in (new_side, baseline_side):
        alb: list[tuple[QueryKind, str, str, str]] = [
            ("requests", "RequestCount", "Sum", ""),
            ("errors", "HTTPCode_Target_5XX_Count", "Sum", ""),
            ("values", "TargetResponseTime", "p50", LATENCY_P50),
            ("values", "TargetResponseTime", "p99", LATENCY_P99),
        ]
        for kind, metric_name, stat, metric in alb:
            identifier = query_id(side, kind, metric)
            queries.append(_alb_query(identifier, metric_name, stat, targets, side))
            meaning[identifier] = (side, kind, metric)
        for user in config.user_metrics:
            identifier = query_id(side, "values", user.name)
            dimensions = user.query.for_side(side)
            queries.append(
                {
                    "Id": identifier,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": user.query.namespace,
                            "MetricName": user.query.metric_name,
                            "Dimensions": [{"Name": name, "Value": value} for name, value in dimensions.items()],
                        },
                        "Period": PERIOD_SECONDS,
                        "Stat": user.query.stat,
                    },
                    "ReturnData": True,
                }
            )
            meaning[identifier] = (side, "values", user.name)
    new_window, baseline_window = windows
    start = min(new_window.start, baseline_window.start)
    end = max(new_window.end, baseline_window.end)
    periods = int((end - start).total_seconds()) // PERIOD_SECONDS
    if len(queries) > MAX_QUERIES or len(queries) * periods > MAX_DATAPOINTS:
        raise ValueError(
            f"{len(queries)} queries x {periods} periods exceed GetMetricData's {MAX_QUERIES} queries "
            f"or {MAX_DATAPOINTS} data points per call"
        )
    return QueryPlan(
        request={
            "MetricDataQueries": queries,
            "StartTime": start,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
            "MaxDatapoints": MAX_DATAPOINTS,
        },
        meaning=meaning,
        new_side=new_side,
        baseline_side=baseline_side,
        baseline_kind=baseline_kind,
        new_window=new_window,
        baseline_window=baseline_window,
    )
