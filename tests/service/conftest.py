"""Fixtures for the example workload's tests: real server processes on 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest

from tests.service.server_process import SERVICE_DIR, ServerProcess

if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))

SHARED_ENV = {
    "SERVICE_VERSION": "v-test-7",
    "CUTOVER_SIDE": "green",
    "LIVE_LAG_THRESHOLD_MS": "500",
    "DRAIN_PROPAGATION_SECONDS": "0",
    "DRAIN_TIMEOUT_SECONDS": "2",
}


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One long-lived server for the tests that do not stop it (MCP client, metrics, headers...)."""
    server = ServerProcess(SHARED_ENV, tmp_path_factory.mktemp("shared-server"))
    server.start()
    try:
        server.wait_for_startup()
        yield server
    finally:
        server.stop()


Launch = Callable[[dict[str, str]], ServerProcess]


@pytest.fixture
def launch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launch]:
    """`launch(env)` starts a server for this test; any still running at teardown is killed."""
    started: list[ServerProcess] = []

    def _launch(env: dict[str, str]) -> ServerProcess:
        server = ServerProcess(env, tmp_path_factory.mktemp("server"))
        started.append(server)
        server.start()
        return server

    yield _launch
    for server in started:
        server.stop()
