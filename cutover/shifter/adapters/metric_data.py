"""One check's GetMetricData call: every metric of both sides, all pages, never a crash.

CloudWatch API reference, GetMetricData: results beyond one page come with a `NextToken`
("A token that marks the next batch of returned results"), repeated with the same request
until absent; a result's `StatusCode` is Complete, PartialData ("You can use the NextToken
value that was returned and repeat your request to get more data points"), InternalError
("Retry your request using NextToken, if present") or Forbidden, and the call's own
`Messages` (e.g. "Maximum number of allowed metrics exceeded") mean "as much of the operation
as possible is still executed". CloudWatch service quotas: GetMetricData is throttled at 50
transactions per second per Region by default (adjustable), shared by the whole account.

So: a throttled or failed call, a result still PartialData after the last page, or a call
message make the metrics they touch *unusable*, which the pure judge turns into an
inconclusive verdict with the reason (judge.py rule 1): never a pass, never an exception out
of the check. Retrying a throttled call is the state machine's job (a later poll), not ours:
a check that spins on a shared 50 TPS quota makes it worse for every deployment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from cutover.shifter.logic.analysis.models import BUILT_IN_METRICS, CheckSamples
from cutover.shifter.logic.analysis.queries import QueryPlan
from cutover.shifter.logic.analysis.responses import samples_from_response

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.client import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataResultTypeDef

# Bounds the NextToken loop (every polling loop has a bound): one check asks for at most
# 100,800 data points (queries.MAX_DATAPOINTS), one page's size, so more than a few pages
# means CloudWatch is not converging.
MAX_PAGES: Final = 10
THROTTLING_CODES: Final = frozenset({"Throttling", "ThrottlingException", "LimitExceeded", "LimitExceededException"})


@dataclass(frozen=True)
class MetricDataAnswer:
    """Every MetricDataResults entry of the call (pages merged per query id), and why the
    call as a whole could not be trusted, if it could not."""

    results: tuple[MetricDataResultTypeDef, ...]
    call_problem: str | None = None
    pages: int = 0
    messages: tuple[str, ...] = field(default=())


def _merge(pages: Sequence[Sequence[MetricDataResultTypeDef]]) -> tuple[MetricDataResultTypeDef, ...]:
    merged: dict[str, dict[str, Any]] = {}
    for page in pages:
        for result in page:
            identifier = result.get("Id", "")
            entry = merged.setdefault(identifier, {"Id": identifier, "Timestamps": [], "Values": []})
            entry["Timestamps"].extend(result.get("Timestamps", []))
            entry["Values"].extend(result.get("Values", []))
            # The last page's status is the query's: PartialData on page 1 is normal when page 2 follows.
            entry["StatusCode"] = result.get("StatusCode", "Complete")
            entry["Messages"] = [*entry.get("Messages", []), *result.get("Messages", [])]
            if "Label" in result:
                entry["Label"] = result["Label"]
    return tuple(merged[identifier] for identifier in merged)  # type: ignore[misc]


def _describe(error: ClientError) -> str:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    kind = "throttled" if code in THROTTLING_CODES else "failed"
    return f"GetMetricData {kind} ({code}: {message})".replace(": )", ")")


class CloudWatchMetricData:
    """The boto3 implementation of ports.MetricDataReader."""

    def __init__(self, cloudwatch: CloudWatchClient) -> None:
        self._cloudwatch = cloudwatch

    def fetch(self, plan: QueryPlan) -> MetricDataAnswer:
        pages: list[Sequence[MetricDataResultTypeDef]] = []
        messages: list[str] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            request: dict[str, Any] = dict(plan.request)
            if token is not None:
                request["NextToken"] = token
            try:
                response = self._cloudwatch.get_metric_data(**request)
            except ClientError as error:
                return MetricDataAnswer(results=_merge(pages), call_problem=_describe(error), pages=len(pages))
            except BotoCoreError as error:  # connection errors, timeouts: no answer at all
                return MetricDataAnswer(results=_merge(pages), call_problem=f"GetMetricData failed ({error})")
            pages.append(response.get("MetricDataResults", []))
            messages.extend(f"{m.get('Code', '')} {m.get('Value', '')}".strip() for m in response.get("Messages", []))
            token = response.get("NextToken")
            if not token:
                return MetricDataAnswer(results=_merge(pages), pages=len(pages), messages=tuple(messages))
        return MetricDataAnswer(
            results=_merge(pages),
            call_problem=f"GetMetricData still paging after {MAX_PAGES} pages",
            pages=len(pages),
            messages=tuple(messages),
        )

    def read(self, plan: QueryPlan) -> CheckSamples:
        answer = self.fetch(plan)
        samples = samples_from_response(plan, answer.results)
        problem = answer.call_problem
        if problem is None and answer.messages:
            problem = "GetMetricData: " + "; ".join(answer.messages)
        if problem is None:
            return samples
        metrics = {*BUILT_IN_METRICS, *(metric for _, _, metric in plan.meaning.values() if metric)}
        # The call's problem wins over "no result for the query": it is why there is none.
        unusable = dict(samples.unusable)
        unusable.update({metric: problem for metric in sorted(metrics)})
        return samples.model_copy(update={"unusable": unusable})
