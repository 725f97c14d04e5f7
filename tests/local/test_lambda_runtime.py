"""The in-process Lambda runtime (cutover/local/lambda_runtime.py) gives each invocation's thread
its own Powertools metric sets, as AWS gives each concurrent invocation its own environment."""

from __future__ import annotations

import threading
import warnings

from aws_lambda_powertools import Metrics

from cutover.local import runtime
from cutover.local.lambda_runtime import PerThread
from cutover.shifter.observability import metrics, use_service_dimension


def test_two_invocations_at_once_each_keep_their_own_service_dimension() -> None:
    """The bake's two branches invoke the workflow function together: each sets Service for its
    invocation, and neither meets the other's ("Dimension 'Service' has already been added")."""
    runtime.install(time_scale=0.001)
    both_set = threading.Barrier(2, timeout=5)
    seen: dict[str, object] = {}

    def invocation(service: str) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                use_service_dimension(service)
                both_set.wait()  # the other invocation has set its own by now
                metrics.add_metric(name="Shifted", unit="Count", value=1)
                both_set.wait()
                seen[service] = (dict(metrics.provider.dimension_set), list(metrics.provider.metric_set))
        except Exception as error:  # reported below, not lost in the thread
            seen[service] = error

    threads = [threading.Thread(target=invocation, args=(name,)) for name in ("shop", "api")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"shop": ({"Service": "shop"}, ["Shifted"]), "api": ({"Service": "api"}, ["Shifted"])}
    assert isinstance(Metrics._metrics, PerThread) and metrics.provider.metric_set is Metrics._metrics
