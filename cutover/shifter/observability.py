"""One Logger, Tracer and Metrics for every handler of the shifter."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from cutover.shifter.contract import METRICS_NAMESPACE

SERVICE = "cutover-shifter"
NAMESPACE = METRICS_NAMESPACE  # the dashboard reads these metrics (cutover/cdk/dashboard.py)

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE)  # dimensions: Service (set per invocation)


def use_service_dimension(service_name: str) -> None:
    """Every metric of this invocation carries Service=<name>.

    Set per invocation, not as a default dimension: one process can serve several services
    (the local harness runs every stack's Lambdas in-process), and a default kept from an
    earlier invocation leaked the wrong Service. flush_metrics keeps its set when there was
    nothing to publish or metrics are disabled, so start from a clear set.
    """
    metrics.clear_metrics()
    metrics.add_dimension(name="Service", value=service_name)
