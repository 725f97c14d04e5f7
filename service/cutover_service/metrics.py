"""Prometheus metrics, on a registry of the service's own (served at /metrics)."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

from cutover_service.settings import Settings
from cutover_service.state import LoopLagMonitor, ServiceState

KNOWN_ROUTES = frozenset({"/mcp", "/health", "/health/startup", "/health/live", "/health/ready", "/metrics"})
OTHER_ROUTE = "other"
# No `_created` series: one line per counter and histogram is enough here.
disable_created_metrics()  # type: ignore[no-untyped-call]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def route_label(path: str) -> str:
    """The route a path belongs to; unknown paths share one label so scanners cannot blow up cardinality."""
    trimmed = path.rstrip("/") or "/"
    return trimmed if trimmed in KNOWN_ROUTES else OTHER_ROUTE


class ServiceMetrics:
    def __init__(self, settings: Settings, state: ServiceState, monitor: LoopLagMonitor) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.requests = Counter(
            "cutover_service_requests",
            "HTTP requests answered, by route, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "cutover_service_request_duration_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        in_flight = Gauge(
            "cutover_service_requests_in_flight",
            "HTTP requests being answered right now.",
            registry=self.registry,
        )
        in_flight.set_function(lambda: float(state.in_flight))
        self.injected_errors = Counter(
            "cutover_service_injected_errors",
            "Requests answered 500 on purpose (ERROR_RATE).",
            registry=self.registry,
        )
        build_info = Gauge(
            "cutover_service_build_info",
            "Always 1; the labels say which version runs on which side.",
            ["version", "side"],
            registry=self.registry,
        )
        build_info.labels(version=settings.service_version, side=settings.side).set(1)
        draining = Gauge(
            "cutover_service_draining",
            "1 from SIGTERM on (readiness 503), 0 before.",
            registry=self.registry,
        )
        draining.set_function(lambda: 1.0 if state.draining else 0.0)
        started = Gauge(
            "cutover_service_started",
            "1 once start-up finished.",
            registry=self.registry,
        )
        started.set_function(lambda: 1.0 if state.started else 0.0)
        lag = Gauge(
            "cutover_service_event_loop_lag_seconds",
            "How late the event loop woke the lag monitor (what /health/live judges).",
            registry=self.registry,
        )
        lag.set_function(monitor.current_lag)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route=route, method=method, status=str(status)).inc()
        self.latency.labels(route=route).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
