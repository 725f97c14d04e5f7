"""What an ALB publishes per target group into CloudWatch, published by the local router.

ALB guide, "CloudWatch metrics for your Application Load Balancer": namespace
AWS/ApplicationELB, dimensions `LoadBalancer` (`app/<name>/<id>`) and `TargetGroup`
(`targetgroup/<name>/<id>`), metrics in 60 s intervals; `RequestCount` (Sum),
`HTTPCode_Target_5XX_Count` whose "Reporting criteria: There is a nonzero value" (so a period
without target 5xx has no datapoint), and `TargetResponseTime` in seconds, "the time elapsed
after the request leaves the load balancer until a response from the target is received",
with percentiles. Only answers that came from a target count (the router's own 502/503/504
are the ALB's `HTTPCode_ELB_*`, not published here).

Periods follow the virtual clock the harness compresses Step Functions waits and AWS delays
with (aws_timing.clock, AWS seconds since the run began, scaled by time_compression): a 60 s
period at the demo's 0.01 compression lasts 0.6 s of real time, and datapoints are stamped
`epoch + clock.now()` (epoch: aws_timing.ORIGIN unless given), floored to the period. The
judge's now is the same (`aws_timing.utc_now`, which runtime.install() makes the Lambda's
`cutover.shifter.clock.metrics_now`): one clock. It runs ahead of the system clock (100x at the demo's
compression); moto's CloudWatch stores and queries timestamps without comparing them with its
own clock, and only local runs use this clock. Response times are the real seconds the service took
(compression shortens waits, not requests).

CloudWatch API reference, PutMetricData: "up to 150 values per metric" with `Values` and
`Counts`, and a request "limited to no more than 1000 different metrics" and 1 MB: `flush`
sends at most 150 values a datum and 20 datums a call (far below both).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from cutover.local import aws_timing

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

NAMESPACE: Final = "AWS/ApplicationELB"
PERIOD_SECONDS: Final = 60
MAX_VALUES_PER_DATUM: Final = 150
MAX_DATUMS_PER_CALL: Final = 20


@dataclass
class _Period:
    requests: int = 0
    target_5xx: int = 0
    # Response times rounded to 0.1 ms, with how often each was seen: PutMetricData Values/Counts.
    response_times: Counter[float] = field(default_factory=Counter)


class AlbMetrics:
    """Counts per target group and period; `flush` publishes the periods that have ended."""

    def __init__(
        self,
        cloudwatch: Callable[[], CloudWatchClient],
        load_balancer: str,
        target_groups: Mapping[str, str],  # target group ARN -> its TargetGroup dimension value
        *,
        clock: aws_timing.Clock = aws_timing.clock,
        epoch: datetime | None = None,
    ) -> None:
        self._cloudwatch = cloudwatch
        self._load_balancer = load_balancer
        self._target_groups = dict(target_groups)
        self._clock = clock
        start = (epoch or aws_timing.ORIGIN).timestamp()
        self._epoch = math.floor(start / PERIOD_SECONDS) * PERIOD_SECONDS  # period 0 starts aligned
        self._lock = threading.Lock()
        self._periods: dict[tuple[str, int], _Period] = {}

    def period_start(self, index: int) -> datetime:
        return datetime.fromtimestamp(self._epoch + index * PERIOD_SECONDS, tz=UTC)

    def current_period(self) -> int:
        return math.floor(self._clock.now() / PERIOD_SECONDS)

    def record(self, target_group_arn: str, status: int, response_seconds: float, *, at: float | None = None) -> None:
        """One answer from a target of `target_group_arn` (called by the router's threads), `at`
        AWS seconds on the clock (now unless given: a router process reports answers after them)."""
        if target_group_arn not in self._target_groups:
            return
        index = self.current_period() if at is None else math.floor(at / PERIOD_SECONDS)
        with self._lock:
            period = self._periods.setdefault((target_group_arn, index), _Period())
            period.requests += 1
            period.target_5xx += 1 if 500 <= status <= 599 else 0
            period.response_times[round(max(0.0, response_seconds), 4)] += 1

    def has_ended_periods(self) -> bool:
        current = self.current_period()
        with self._lock:
            return any(index < current for _, index in self._periods)

    def flush(self, *, everything: bool = False) -> int:
        """Publish ended periods (all with `everything`); the number of PutMetricData calls."""
        current = self.current_period()
        with self._lock:
            ended = {key: p for key, p in self._periods.items() if everything or key[1] < current}
            for key in ended:
                del self._periods[key]
        datums = [datum for (arn, index), period in sorted(ended.items()) for datum in self._datums(arn, index, period)]
        calls = 0
        for start in range(0, len(datums), MAX_DATUMS_PER_CALL):
            chunk = datums[start : start + MAX_DATUMS_PER_CALL]
            self._cloudwatch().put_metric_data(Namespace=NAMESPACE, MetricData=chunk)  # type: ignore[arg-type]
            calls += 1
        return calls

    def _datums(self, arn: str, index: int, period: _Period) -> list[dict[str, Any]]:
        common = {
            "Dimensions": [
                {"Name": "LoadBalancer", "Value": self._load_balancer},
                {"Name": "TargetGroup", "Value": self._target_groups[arn]},
            ],
            "Timestamp": self.period_start(index),
        }
        datums: list[dict[str, Any]] = [
            {"MetricName": "RequestCount", "Value": period.requests, "Unit": "Count", **common}
        ]
        if period.target_5xx:  # the ALB reports it only when non-zero
            datums.append(
                {"MetricName": "HTTPCode_Target_5XX_Count", "Value": period.target_5xx, "Unit": "Count", **common}
            )
        times = sorted(period.response_times.items())
        for start in range(0, len(times), MAX_VALUES_PER_DATUM):
            chunk = times[start : start + MAX_VALUES_PER_DATUM]
            datums.append(
                {
                    "MetricName": "TargetResponseTime",
                    "Values": [value for value, _ in chunk],
                    "Counts": [float(count) for _, count in chunk],
                    "Unit": "Seconds",
                    **common,
                }
            )
        return datums
