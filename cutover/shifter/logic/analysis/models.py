"""What the judge reads, how it is set, and what it says (docs/analysis.md).

Settings are strict pydantic models like the execution input (`inputs.py`): a stack's
`analysis` context and a deployment's `analysis` input parse into `JudgeConfig`. Samples are
what `responses.samples_from_response` makes of one GetMetricData answer; a `Verdict` carries
every number that explains it, for the history, `cutover status` and SNS.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cutover.shifter.contract import Side
from cutover.shifter.logic.analysis.mann_whitney import minimum_p_value

Direction = Literal["higher-is-worse", "lower-is-worse"]
# off: no judge (the default). dry-run: judge at every check and record every verdict, act on
# none (tune a judge before trusting it). on: a fail rolls back, an inconclusive bake does
# what `on_inconclusive` says.
Mode = Literal["off", "dry-run", "on"]
Outcome = Literal["pass", "fail", "inconclusive"]
# "same-window": both sides served production traffic over the same window (a canary or
# linear step). "before-shift": only the new side serves (all-at-once, the final wait at
# 100 %), so the baseline is the old side's own window just before the shift.
BaselineKind = Literal["same-window", "before-shift"]

ERROR_RATE: Final = "error_rate"
LATENCY_P50: Final = "latency_p50"
LATENCY_P99: Final = "latency_p99"
BUILT_IN_METRICS: Final = (ERROR_RATE, LATENCY_P50, LATENCY_P99)
SIDE_PLACEHOLDER: Final = "{side}"
# ALB metrics are published every 60 s (ALB guide, "CloudWatch metrics for your Application
# Load Balancer"): a shorter period would see gaps, a longer one fewer samples.
PERIOD_SECONDS: Final = 60
MAX_USER_METRICS: Final = 20  # 2 x (4 + 20) = 48 queries per call, far below GetMetricData's 500
# CloudWatch statistics a user query may ask for: the five basic ones and percentiles.
STATISTIC: Final = re.compile(r"SampleCount|Average|Sum|Minimum|Maximum|p(?:100|\d{1,2}(?:\.\d{1,6})?)")
METRIC_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,47}")

Confidence = Annotated[float, Field(strict=True, ge=0.5, le=0.9999)]
Tolerance = Annotated[float, Field(strict=True, ge=0.0, le=10.0)]  # relative: 0.1 = 10 % worse is tolerated


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateJudge(_Model):
    """An error rate from counts (errors per request, higher is worse), judged by Fisher's
    exact test on the counts of the whole window (fisher.py)."""

    tolerance: Tolerance = 0.25
    confidence: Confidence = 0.99
    absolute_limit: float | None = Field(default=None, strict=True, ge=0.0, le=1.0)  # fail above this rate
    min_requests: int = Field(default=2_000, strict=True, ge=1)  # per side in the window
    min_periods: int = Field(default=1, strict=True, ge=1)  # periods with requests, per side


class PeriodJudge(_Model):
    """A per-period aggregate (p99 latency, an app's own metric), judged by Mann-Whitney U on
    the two sides' per-period values (mann_whitney.py)."""

    direction: Direction = "higher-is-worse"
    tolerance: Tolerance = 0.05
    # 95 %, not 98 %: at 98 % a 20 % p99 regression failed within 6 periods in only 92 % of
    # simulated trials; at 95 % in 99 %, with A/A false positives per deployment still under 1 %
    # (bench figure 7's trade-off table, docs/analysis.md "Why these defaults").
    confidence: Confidence = 0.95
    absolute_limit: float | None = Field(default=None, strict=True)  # fail beyond this median, in its direction
    min_requests: int = Field(default=2_000, strict=True, ge=0)  # per side in the window
    min_periods: int = Field(default=5, strict=True, ge=1, le=1_440)  # periods with a value, per side

    @model_validator(mode="after")
    def _periods_can_reach_the_confidence(self) -> PeriodJudge:
        needed = periods_needed(self.confidence)
        if self.min_periods < needed:
            raise ValueError(
                f"min_periods {self.min_periods} can never fail at confidence {self.confidence:g}: "
                f"Mann-Whitney's smallest one-sided p-value with n periods per side is 1/C(2n, n), "
                f"so it needs at least {needed}"
            )
        return self


def significance(confidence: float) -> float:
    """The p-value a fail must be below. Rounded: 1 - 0.95 is 0.050000000000000044 in floats."""
    return round(1 - confidence, 12)


def periods_needed(confidence: float) -> int:
    """The fewest periods per side for which Mann-Whitney can reach `confidence` at all."""
    alpha = significance(confidence)
    n = 1
    while minimum_p_value(n, n) >= alpha:
        n += 1
    return n


class MetricQuery(_Model):
    """A CloudWatch metric for each side: `{side}` in a dimension value becomes blue or green,
    e.g. an app's EMF metric with a `Side` dimension."""

    namespace: str = Field(min_length=1, max_length=255)
    metric_name: str = Field(min_length=1, max_length=255)
    dimensions: dict[str, str] = Field(min_length=1, max_length=30)  # CloudWatch: 30 dimensions per metric
    stat: str = "Average"

    @field_validator("stat")
    @classmethod
    def _known_statistic(cls, value: str) -> str:
        if not STATISTIC.fullmatch(value):
            raise ValueError("expected SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99")
        return value

    @model_validator(mode="after")
    def _names_the_side(self) -> MetricQuery:
        if not any(SIDE_PLACEHOLDER in value for value in self.dimensions.values()):
            raise ValueError(f"no dimension value contains {SIDE_PLACEHOLDER}: both sides would read the same metric")
        return self

    def for_side(self, side: Side) -> dict[str, str]:
        return {name: value.replace(SIDE_PLACEHOLDER, side) for name, value in self.dimensions.items()}


class UserMetric(PeriodJudge):
    name: str
    query: MetricQuery
    # User metrics need no ALB requests by default: a queue depth has values without traffic.
    min_requests: int = Field(default=0, strict=True, ge=0)

    @field_validator("name")
    @classmethod
    def _usable_as_query_id(cls, value: str) -> str:
        if not METRIC_NAME.fullmatch(value):
            raise ValueError("lower-case letters, digits and _, starting with a letter, at most 48 characters")
        if value in BUILT_IN_METRICS:
            raise ValueError(f"{value!r} is a built-in metric")
        return value


class InconclusiveAction(_Model):
    """What an inconclusive verdict at the end of a bake does."""

    action: Literal["extend", "pause", "rollback"] = "extend"
    # extend: bake again for `extend_seconds`, at most `max_extensions` times, then `then`.
    extend_seconds: int = Field(default=300, strict=True, ge=60, le=3_600)
    max_extensions: int = Field(default=2, strict=True, ge=1, le=6)
    then: Literal["pause", "rollback"] = "pause"


class JudgeConfig(_Model):
    """The judge of one stack or one deployment. Defaults and why: docs/analysis.md."""

    mode: Mode = "off"
    error_rate: RateJudge = RateJudge()
    latency_p50: PeriodJudge = PeriodJudge()
    latency_p99: PeriodJudge = PeriodJudge()
    user_metrics: tuple[UserMetric, ...] = Field(default=(), max_length=MAX_USER_METRICS)
    on_fail: Literal["rollback"] = "rollback"
    on_inconclusive: InconclusiveAction = InconclusiveAction()

    @field_validator("user_metrics")
    @classmethod
    def _unique_names(cls, value: tuple[UserMetric, ...]) -> tuple[UserMetric, ...]:
        names = [metric.name for metric in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate metric names: {', '.join(duplicates)}")
        return value

    def merged_with(self, override: JudgeConfig | None) -> JudgeConfig:
        """A deployment's `analysis` over the stack's: the fields it sets win, object by object
        (a list, `user_metrics`, is replaced whole). Validated again: a combination of the two
        must itself be valid (ValidationError otherwise)."""
        if override is None:
            return self
        merged = _deep_merge(self.model_dump(exclude_unset=True), override.model_dump(exclude_unset=True))
        return JudgeConfig.model_validate(merged)

    def extra_wait_seconds(self) -> int:
        """How much longer than planned one judged bake may last when the judge acts on an
        inconclusive verdict: every extension, not counting a pause (`pauses_when_inconclusive`)."""
        if self.mode != "on" or self.on_inconclusive.action != "extend":
            return 0
        return self.on_inconclusive.extend_seconds * self.on_inconclusive.max_extensions

    def pauses_when_inconclusive(self) -> bool:
        """An inconclusive bake may end in a pause for a promote (held up to the plan's max pause)."""
        rule = self.on_inconclusive
        return self.mode == "on" and (rule.action == "pause" or (rule.action == "extend" and rule.then == "pause"))

    def period_judges(self) -> dict[str, PeriodJudge]:
        judges: dict[str, PeriodJudge] = {LATENCY_P50: self.latency_p50, LATENCY_P99: self.latency_p99}
        judges.update({metric.name: metric for metric in self.user_metrics})
        return judges


def _deep_merge(base: dict[str, object], override: dict[str, object]) -> dict[str, object]:
    merged = dict(base)
    for key, value in override.items():
        below = merged.get(key)
        merged[key] = _deep_merge(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
    return merged


# ---------------------------------------------------------------------------- samples
class Window(_Model):
    """[start, end) in whole periods: the period in progress is never judged (incomplete)."""

    start: datetime
    end: datetime

    @model_validator(mode="after")
    def _whole_periods(self) -> Window:
        length = (self.end - self.start).total_seconds()
        if length <= 0 or length % PERIOD_SECONDS or self.start.timestamp() % PERIOD_SECONDS:
            raise ValueError(f"a window is a positive number of whole {PERIOD_SECONDS} s periods, aligned")
        return self

    @property
    def periods(self) -> int:
        return int((self.end - self.start).total_seconds()) // PERIOD_SECONDS


class SideTraffic(_Model):
    """One side's ALB counts per period of its window (0 where CloudWatch has no datapoint)."""

    side: Side
    requests: tuple[int, ...]
    errors: tuple[int, ...]

    @model_validator(mode="after")
    def _errors_within_requests(self) -> SideTraffic:
        if len(self.requests) != len(self.errors):
            raise ValueError("one error count per period")
        if any(e < 0 or e > r for r, e in zip(self.requests, self.errors, strict=True)):
            raise ValueError("errors are between 0 and the requests of their period")
        return self

    @property
    def total_requests(self) -> int:
        return sum(self.requests)

    @property
    def total_errors(self) -> int:
        return sum(self.errors)

    @property
    def periods_with_requests(self) -> int:
        return sum(1 for r in self.requests if r > 0)


class SideValues(_Model):
    """One side's per-period values of one metric: periods without a datapoint are absent."""

    side: Side
    values: tuple[float, ...]

    @field_validator("values")
    @classmethod
    def _finite(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not all(math.isfinite(v) for v in value):
            raise ValueError("values must be finite")
        return value


class CheckSamples(_Model):
    """Everything one check judges: both sides' traffic and each per-period metric's values."""

    baseline_kind: BaselineKind
    new_window: Window
    baseline_window: Window
    new: SideTraffic
    baseline: SideTraffic
    values: dict[str, tuple[SideValues, SideValues]]  # metric -> (new, baseline)
    unusable: dict[str, str] = Field(default_factory=dict)  # metric -> why CloudWatch gave no usable data


# ---------------------------------------------------------------------------- verdicts
class SideSummary(_Model):
    side: Side
    periods: int  # periods with data
    requests: int
    errors: int | None = None  # rates only
    value: float | None = None  # the rate, or the median of the per-period values


class MetricVerdict(_Model):
    metric: str
    outcome: Outcome
    test: Literal["fisher", "mann-whitney", "none"]
    direction: Direction
    new: SideSummary
    baseline: SideSummary
    statistic: float | None = None  # Fisher: the observed rate ratio; Mann-Whitney: U
    p_value: float | None = None
    confidence: float
    tolerance: float
    threshold: float | None = None  # the baseline value with the tolerance applied
    absolute_limit: float | None = None
    explanation: str  # one line a person can act on


class Verdict(_Model):
    outcome: Outcome
    baseline_kind: BaselineKind
    baseline_description: str
    new_window: Window
    baseline_window: Window
    metrics: tuple[MetricVerdict, ...]
    explanation: str

    def failed(self) -> tuple[MetricVerdict, ...]:
        return tuple(m for m in self.metrics if m.outcome == "fail")
