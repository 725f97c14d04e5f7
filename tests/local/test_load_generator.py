"""The load generator sends at its rate, counts answers by release, counts failures, and stops in time."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from cutover.local.load_generator import NO_HEADER, LoadGenerator, is_platform_failure
from tests.local.http_target import HttpTarget, QuietHandler


@dataclass
class VersionServer(HttpTarget):
    """Answers with X-Service-Version/X-Cutover-Side: alternating v1/blue and v2/green, or one fixed version;
    every `fail_every`-th request gets a 500; each answer waits `delay_seconds`."""

    fixed_version: str | None = None
    fail_every: int = 0
    delay_seconds: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)  # statuses and versions sent, e.g. "500 v2"

    def __post_init__(self) -> None:
        server = self
        lock = threading.Lock()

        class Handler(QuietHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                time.sleep(server.delay_seconds)
                with lock:
                    server.requests.append({"method": self.command, "path": self.path, "body": body})
                    number = len(server.requests)
                    version = server.fixed_version or ("v1" if number % 2 else "v2")
                    status = 500 if server.fail_every and number % server.fail_every == 0 else 200
                    key = f"{status} {version}"
                    server.sent[key] = server.sent.get(key, 0) + 1
                self.send_response(status)
                self.send_header("X-Service-Version", version)
                self.send_header("X-Cutover-Side", "blue" if version == "v1" else "green")
                self.send_header("Content-Length", "2")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (stopped)
                    self.wfile.write(b"ok")

            do_GET = do_POST = _answer

        self.serve(Handler)


@pytest.fixture
def servers() -> Iterator[list[VersionServer]]:
    started: list[VersionServer] = []
    yield started
    for server in started:
        server.close()


def serve(servers: list[VersionServer], **options: Any) -> VersionServer:
    server = VersionServer(**options)
    servers.append(server)
    return server


def wait_until(what: str, condition: Callable[[], bool], timeout_seconds: float = 20.0) -> None:
    """Poll until `condition` holds; a generous deadline, for a loaded machine, then fail saying what."""
    deadline = time.monotonic() + timeout_seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout_seconds:.0f} s: {what}"
        time.sleep(0.02)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_answers_are_counted_by_version_and_side_at_the_requested_rate(servers: list[VersionServer]) -> None:
    server = serve(servers)
    generator = LoadGenerator(server.url, rate_per_second=100, path="/health").start()
    wait_until("100 answers", lambda: generator.snapshot().total >= 100)
    running = generator.snapshot()
    result = generator.stop()
    # The schedule is one slot per 10 ms: each slot so far was sent or, if the generator fell behind
    # (a busy machine), counted late, never dropped silently; at most the 16 workers' claimed slots
    # are due but not yet sent. Never faster than asked: no burst after falling behind.
    slots = 100 * running.at_seconds
    assert slots - 16 - 1 <= running.sent + running.late <= slots + 1, (running.sent, running.late, slots)
    assert result.sent <= 100 * result.at_seconds + 1, (result.sent, result.at_seconds)
    assert result.total == result.sent == len(server.requests)  # each request counted once, none left in flight
    assert {request["path"] for request in server.requests} == {"/health"}
    assert result.by_version == {"v1": server.sent["200 v1"], "v2": server.sent["200 v2"]}
    assert abs(result.by_version["v1"] - result.by_version["v2"]) <= 1  # the server alternates
    assert result.by_side == {"blue": result.by_version["v1"], "green": result.by_version["v2"]}
    assert result.by_status == {200: result.total} and result.failures == 0 and result.failure_examples == ()
    assert sum(sum(bucket.by_version.values()) for bucket in result.series) == result.total
    assert 0.45 <= result.shares()["v1"] <= 0.55


def test_5xx_answers_are_failures_counted_by_version(servers: list[VersionServer]) -> None:
    server = serve(servers, fail_every=4)  # requests 4, 8, ...: always v2, which answers the even ones
    generator = LoadGenerator(server.url, rate_per_second=100).start()
    time.sleep(0.6)
    result = generator.stop()
    assert result.total >= 20 and result.failures == server.sent["500 v2"] == result.total // 4
    assert result.failures_by_version == {"v2": result.failures} and result.no_answer == 0
    assert result.by_status[500] == result.failures
    assert 1 <= len(result.failure_examples) <= 5 and "HTTP 500 from v2/green" in result.failure_examples[-1]
    assert sum(bucket.failures for bucket in result.series) == result.failures
    # a release's own 500s are its cost, not the platform's
    assert result.release_errors == result.failures and result.platform_failures == 0


def test_connection_errors_and_timeouts_are_failures() -> None:
    refused = LoadGenerator(closed_port_url(), rate_per_second=50).start()
    time.sleep(0.3)
    result = refused.stop()
    assert result.total >= 5 and result.failures == result.no_answer == result.total
    assert result.by_version == {} and "ConnectionRefusedError" in result.failure_examples[-1]
    assert result.platform_failures == result.total and result.release_errors == 0


def test_timeouts_are_failures(servers: list[VersionServer]) -> None:
    server = serve(servers, delay_seconds=1.0)
    generator = LoadGenerator(server.url, rate_per_second=20, timeout_seconds=0.2).start()
    time.sleep(0.7)
    result = generator.stop()
    assert result.total >= 3 and result.failures == result.no_answer == result.total
    assert result.failure_examples[-1].endswith("timeout after 0.2 s")


def test_stop_returns_promptly_and_nothing_is_sent_afterwards(servers: list[VersionServer]) -> None:
    server = serve(servers, delay_seconds=0.5)
    generator = LoadGenerator(server.url, rate_per_second=40, timeout_seconds=1.0).start()
    time.sleep(0.5)
    asked_at = time.monotonic()
    generator.stop()
    assert time.monotonic() - asked_at < 1.0 + 1.0  # at most the request timeout and a second
    assert not generator.running
    received = len(server.requests)
    time.sleep(0.8)  # longer than the server's delay: requests in flight would have landed
    assert len(server.requests) == received


def test_max_seconds_bounds_the_run(servers: list[VersionServer]) -> None:
    server = serve(servers)
    generator = LoadGenerator(server.url, rate_per_second=50, max_seconds=0.4).start()
    deadline = time.monotonic() + 3
    while generator.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not generator.running
    assert 5 <= generator.snapshot().total <= 0.4 * 50 + 1


def test_shares_since_a_mark_and_over_time(servers: list[VersionServer]) -> None:
    server = serve(servers, fixed_version="v1")
    generator = LoadGenerator(server.url, rate_per_second=100).start()
    # A whole first bucket of v1 answers before the switch, then every v1 answer the server gave
    # counted by the generator (none still in flight) before the mark.
    wait_until("a whole bucket of answers", lambda: len(generator.snapshot().series) >= 2)
    server.fixed_version = "v2"
    wait_until(
        "every v1 answer counted",
        lambda: generator.snapshot().by_version.get("v1") == server.sent["200 v1"],
    )
    mark = generator.snapshot()
    wait_until(
        "answers in a bucket that started after the mark",
        lambda: any(b.start_seconds >= mark.at_seconds for b in generator.snapshot().since(mark).series),
    )
    assert generator.share_since(mark) == {"v2": 1.0}
    result = generator.stop()
    assert set(result.shares()) == {"v1", "v2"}
    assert result.series[0].by_version.keys() == {"v1"} and result.series[-1].by_version.keys() == {"v2"}
    window = result.since(mark)
    assert window.total == result.total - mark.total and window.by_version == {"v2": window.total}
    assert "v2 100%" in window.describe()


def test_mcp_mode_posts_a_tool_call(servers: list[VersionServer]) -> None:
    server = serve(servers)
    generator = LoadGenerator.mcp(server.url, rate_per_second=50).start()
    time.sleep(0.2)
    generator.stop()
    assert server.requests, "no request sent"
    request = server.requests[0]
    assert (request["method"], request["path"]) == ("POST", "/mcp")
    assert json.loads(request["body"])["params"]["name"] == "get_version"


def test_answers_without_version_headers_are_counted_apart(servers: list[VersionServer]) -> None:
    class Bare(QuietHandler):
        def do_GET(self) -> None:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

    bare = HttpTarget()
    bare.serve(Bare)
    try:
        generator = LoadGenerator(bare.url, rate_per_second=50).start()
        time.sleep(0.2)
        result = generator.stop()
    finally:
        bare.close()
    assert result.by_version == {NO_HEADER: result.total} and result.failures == result.total >= 3
    assert result.platform_failures == result.total  # the load balancer's own 503: routing failed


def test_who_failed_a_request() -> None:
    assert is_platform_failure(None, NO_HEADER)  # refused, dropped or timed out
    assert is_platform_failure(503, NO_HEADER) and is_platform_failure(502, NO_HEADER)  # the ALB's own answers
    assert is_platform_failure(503, "v2")  # a task starting or draining: it should not have been routed there
    assert not is_platform_failure(500, "v2")  # the release answered its own error


def test_the_load_runs_in_its_own_process_and_ends_with_stop(servers: list[VersionServer]) -> None:
    server = serve(servers)
    before = {child.pid for child in multiprocessing.active_children()}
    generator = LoadGenerator(server.url, rate_per_second=50).start()
    started = [child for child in multiprocessing.active_children() if child.pid not in before]
    assert [child.name for child in started] == ["cutover-load"]
    assert {request["path"] for request in server.requests} <= {"/health"}
    generator.stop()
    assert not started[0].is_alive() and started[0].exitcode == 0
    assert generator.snapshot() == generator.stop()  # the final counts stay readable
