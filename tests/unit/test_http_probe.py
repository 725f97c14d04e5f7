"""The smoke tests' HTTP probe against a real HTTP server on 127.0.0.1.

Here, not under tests/unit/shifter/: that tier refuses sockets (its conftest), and the probe
is the one adapter whose AWS side is plain HTTP, so a local server is the honest counterpart."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cutover.shifter.adapters.http_probe import UrllibProbe

BIG = 2 * 1_048_576


class _Route(BaseHTTPRequestHandler):
    received: list[tuple[str, str, str | None, bytes]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        _Route.received.append((self.command, self.path, self.headers.get("X-Test-Token"), self.rfile.read(length)))
        if self.path == "/slow":
            time.sleep(0.5)
        status = {"/missing": 404, "/broken": 503}.get(self.path, 200)
        body = b"x" * BIG if self.path == "/big" else f"{self.command} {self.path}".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the probe stops reading at its limit
            self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def base_url() -> Iterator[str]:
    _Route.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Route)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_answer_is_timed_with_its_status_body_and_type(base_url: str) -> None:
    answer = UrllibProbe().request(f"{base_url}/health", "GET", {"X-Test-Token": "t0k"}, None, 2.0)
    assert (answer.status, answer.body, answer.content_type) == (200, b"GET /health", "text/plain")
    assert 0 < answer.latency_ms < 2_000
    assert _Route.received == [("GET", "/health", "t0k", b"")]


def test_error_statuses_are_answers_not_exceptions(base_url: str) -> None:
    probe = UrllibProbe()
    assert probe.request(f"{base_url}/missing", "GET", {}, None, 2.0).status == 404
    broken = probe.request(f"{base_url}/broken", "POST", {"Content-Type": "application/json"}, b'{"a": 1}', 2.0)
    assert (broken.status, broken.body, broken.content_type) == (503, b"POST /broken", "text/plain")
    assert _Route.received[-1] == ("POST", "/broken", None, b'{"a": 1}')


def test_a_huge_body_is_read_only_up_to_one_mebibyte(base_url: str) -> None:
    assert len(UrllibProbe().request(f"{base_url}/big", "GET", {}, None, 5.0).body) == 1_048_576


def test_a_route_slower_than_the_timeout_raises_an_os_error(base_url: str) -> None:
    """The smoke step turns the OSError into a failed check (shifter/steps/smoke_tests.py)."""
    with pytest.raises(OSError):
        UrllibProbe().request(f"{base_url}/slow", "GET", {}, None, 0.1)
