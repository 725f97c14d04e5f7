"""GetMetricData requests AWS refuses and moto accepts: local AWS refuses them too.

CloudWatch API reference, GetMetricData: "A GetMetricData operation that does not include a
query can retrieve as many as 500 different metrics in a single request". MetricDataQuery.Id:
"This name must be unique within a single call to GetMetricData ... The valid characters are
letters, numbers, and underscore. The first character must be a lowercase letter." moto 5.2.5
checks neither. (The 100,800 data points are a page size, not an error: beyond them AWS
paginates with NextToken, so local AWS does not refuse them.) Patched into moto's CloudWatch
backend by `apply`, which moto_patches.apply() calls; docs/aws-fidelity.md lists the rules.
"""

from __future__ import annotations

import re
from typing import Any, Final

from moto.cloudwatch import models as cloudwatch_models
from moto.cloudwatch.exceptions import ValidationError

MAX_QUERIES: Final = 500
QUERY_ID: Final = re.compile(r"[a-z][a-zA-Z0-9_]*")


def check_metric_data_queries(queries: list[dict[str, Any]]) -> None:
    if len(queries) > MAX_QUERIES:
        raise ValidationError(f"GetMetricData takes at most {MAX_QUERIES} MetricDataQueries, not {len(queries)}")
    seen: set[str] = set()
    for index, query in enumerate(queries, start=1):
        identifier = str(query.get("Id", ""))
        if not QUERY_ID.fullmatch(identifier) or len(identifier) > 255:
            raise ValidationError(
                f"MetricDataQueries.member.{index}.Id {identifier!r}: letters, numbers and underscore, "
                "starting with a lowercase letter"
            )
        if identifier in seen:
            raise ValidationError(f"MetricDataQueries.member.{index}.Id {identifier!r} is not unique in the call")
        seen.add(identifier)


_original_get_metric_data = cloudwatch_models.CloudWatchBackend.get_metric_data


def _get_metric_data(self: Any, queries: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
    check_metric_data_queries(queries)
    return _original_get_metric_data(self, queries, *args, **kwargs)


def apply() -> None:
    """Idempotent."""
    cloudwatch_models.CloudWatchBackend.get_metric_data = _get_metric_data  # type: ignore[method-assign]
