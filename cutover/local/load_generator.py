"""Background HTTP traffic against a URL, counted by the release that answered: the demo's users.

On AWS the traffic a deployment shifts is real clients', and CloudWatch counts it per target group.
Locally nobody calls the service, so `LoadGenerator` sends requests at a steady rate (load_sender.py)
and counts each answer by release and side; load_counts.py says what a failure is and whose.
Counts are also kept per 0.5 s bucket, so a demo can show the share of v1/v2 over time.

The sender runs in its own process. In the harness's process, moto, the in-process Lambdas and
the router compete for one interpreter lock: a sender there fell to 45 requests/s of the 100 it
was asked for while a forced switch ran (tests/zero_downtime, measured 2026-12-03), so the load
proved less than it claimed, and a client's timeout measured the harness's pauses as well as the
platform's. Its own process sends at the asked rate whatever the harness does; a snapshot is
asked for over a pipe.

Which path to load: the example service applies `ERROR_RATE` and `EXTRA_LATENCY_MS` to `POST /mcp`
only, never to the probes. `GET /health` (the default) shows which release answers but never fails
on purpose; `LoadGenerator.mcp(url)` sends `get_version` tool calls to `/mcp`, which do.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Literal
from urllib.parse import urlsplit

from cutover.local.load_counts import NO_HEADER, Bucket, Snapshot, is_platform_failure
from cutover.local.load_sender import LoadSender, LoadSpec

__all__ = ["MCP_PATH", "NO_HEADER", "Bucket", "LoadGenerator", "Snapshot", "is_platform_failure"]

MCP_PATH = "/mcp"
MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
MCP_GET_VERSION = json.dumps(
    {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_version", "arguments": {}}}
).encode()
ANSWER_TIMEOUT_SECONDS = 30.0  # a snapshot is a few dictionaries: only a dead process takes this long

Command = Literal["snapshot", "running", "stop"]


def serve_load(spec: LoadSpec, connection: Connection) -> None:
    """The load process: send until told to stop, or until the parent is gone (its pipe end closes)."""
    # A terminal's Ctrl-C reaches every process of its foreground group: the parent stops this one
    # when it is done with it, or its pipe closes and this process ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sender = LoadSender(spec)
    sender.start()
    connection.send("started")
    while True:
        try:
            command: Command = connection.recv()
        except (EOFError, OSError):
            sender.stop()
            return
        if command == "snapshot":
            connection.send(sender.snapshot())
        elif command == "running":
            connection.send(sender.running)
        else:
            connection.send(sender.stop())
            return


class LoadGenerator:
    """Sends `rate_per_second` requests to `url + path` until `stop()` or `max_seconds`."""

    def __init__(
        self,
        url: str,
        rate_per_second: float = 50.0,
        path: str = "/health",
        timeout_seconds: float = 2.0,
        max_seconds: float = 600.0,
        *,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        concurrency: int = 16,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL")
        if rate_per_second <= 0 or concurrency < 1 or max_seconds <= 0 or timeout_seconds <= 0:
            raise ValueError("rate_per_second, concurrency, max_seconds and timeout_seconds must be positive")
        self.url = url
        self.spec = LoadSpec(
            host=parts.hostname,
            port=parts.port,
            https=parts.scheme == "https",
            path=parts.path.rstrip("/") + "/" + path.lstrip("/"),
            rate_per_second=rate_per_second,
            timeout_seconds=timeout_seconds,
            max_seconds=max_seconds,
            method=method,
            body=body,
            headers={"Connection": "close", **(headers or {})},
            concurrency=concurrency,
        )
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._pipe = threading.Lock()  # one question and its answer at a time
        self._final: Snapshot | None = None

    @classmethod
    def mcp(
        cls,
        url: str,
        rate_per_second: float = 50.0,
        timeout_seconds: float = 2.0,
        max_seconds: float = 600.0,
        *,
        concurrency: int = 16,
    ) -> LoadGenerator:
        """`get_version` tool calls (POST /mcp): the requests ERROR_RATE and EXTRA_LATENCY_MS apply to."""
        return cls(
            url,
            rate_per_second,
            MCP_PATH,
            timeout_seconds,
            max_seconds,
            method="POST",
            body=MCP_GET_VERSION,
            headers=MCP_HEADERS,
            concurrency=concurrency,
        )

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> LoadGenerator:
        if self._process is not None:
            raise RuntimeError("the load generator is already started")
        # spawn, not fork: the harness's process has threads (moto, the router) whose locks a fork copies
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self._process = context.Process(target=serve_load, args=(self.spec, theirs), name="cutover-load", daemon=True)
        self._process.start()
        theirs.close()
        self._connection = ours
        self._receive()  # "started": counting begins now
        return self

    def stop(self) -> Snapshot:
        """Stop sending; wait (at most the request timeout and a second) for requests in flight."""
        if self._final is None:
            final = self._ask("stop")
            assert isinstance(final, Snapshot)
            self._final = final
            assert self._process is not None
            self._process.join(ANSWER_TIMEOUT_SECONDS)
        return self._final

    @property
    def running(self) -> bool:
        return self._final is None and self._process is not None and bool(self._ask("running"))

    def __enter__(self) -> LoadGenerator:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- results ------------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        if self._final is not None:
            return self._final
        answer = self._ask("snapshot")
        assert isinstance(answer, Snapshot)
        return answer

    def share_since(self, mark: Snapshot) -> dict[str, float]:
        """Each version's share of the answers received after `mark` (an earlier `snapshot()`)."""
        return self.snapshot().since(mark).shares()

    # -- the pipe -----------------------------------------------------------------------------------
    def _ask(self, command: Command) -> object:
        if self._connection is None:
            raise RuntimeError("the load generator is not started")
        with self._pipe:
            self._connection.send(command)
            return self._receive()

    def _receive(self) -> object:
        assert self._connection is not None and self._process is not None
        if not self._connection.poll(ANSWER_TIMEOUT_SECONDS):
            raise RuntimeError(
                f"the load generator's process did not answer in {ANSWER_TIMEOUT_SECONDS:.0f} s "
                f"(exit code {self._process.exitcode})"
            )
        try:
            answer: object = self._connection.recv()
        except EOFError as gone:
            raise RuntimeError(f"the load generator's process ended (exit code {self._process.exitcode})") from gone
        return answer
