"""/metrics, in Prometheus text format, follows the traffic the server answers."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.service.server_process import ServerProcess


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


def test_request_counters_and_latency_follow_the_traffic(shared_server: ServerProcess) -> None:
    mcp_ok = {"route": "/mcp", "method": "POST", "status": "200"}
    before = samples(shared_server.metrics())
    for _ in range(3):
        assert shared_server.call_tool("search_appointments", {"patient_name": "kay"}).status == 200
    assert shared_server.get("/nowhere").status == 404
    after = samples(shared_server.metrics())

    assert (
        value(after, "cutover_service_requests_total", **mcp_ok)
        - value(before, "cutover_service_requests_total", **mcp_ok)
        == 3
    )
    assert (
        value(after, "cutover_service_requests_total", route="other", method="GET", status="404")
        - value(before, "cutover_service_requests_total", route="other", method="GET", status="404")
        == 1
    )
    latency_count = "cutover_service_request_duration_seconds_count"
    assert value(after, latency_count, route="/mcp") - value(before, latency_count, route="/mcp") == 3
    assert value(after, "cutover_service_request_duration_seconds_sum", route="/mcp") > value(
        before, "cutover_service_request_duration_seconds_sum", route="/mcp"
    )
    # The scrape itself is in flight while it is rendered; nothing else is.
    assert value(after, "cutover_service_requests_in_flight") == 1
    # The previous scrape was counted once it was answered.
    assert value(after, "cutover_service_requests_total", route="/metrics", method="GET", status="200") >= 1


def test_build_info_and_lifecycle_gauges(shared_server: ServerProcess) -> None:
    scrape = samples(shared_server.metrics())
    assert value(scrape, "cutover_service_build_info", version="v-test-7", side="green") == 1
    build_series = [key for key in scrape if key[0] == "cutover_service_build_info"]
    assert len(build_series) == 1
    assert value(scrape, "cutover_service_started") == 1
    assert value(scrape, "cutover_service_draining") == 0
    assert ("cutover_service_event_loop_lag_seconds", frozenset()) in scrape
    assert value(scrape, "process_resident_memory_bytes") > 0
