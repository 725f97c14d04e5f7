"""One Logger, Tracer and Metrics for every handler of the shifter."""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "cutover-shifter"
NAMESPACE = "Cutover"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE)  # dimensions: Service (set per invocation)


@cache
def use_service_dimension(service_name: str) -> None:
    """Every metric carries Service=<name>; set once per cold start."""
    metrics.set_default_dimensions(Service=service_name)
