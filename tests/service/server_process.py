"""A real `cutover_service` process on a free port of 127.0.0.1, started with the Dockerfile's CMD."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICE_DIR = REPO_ROOT / "service"
DOCKERFILE = SERVICE_DIR / "Dockerfile"
STARTUP_TIMEOUT = 20.0

MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def dockerfile_cmd() -> list[str]:
    """The exec-form CMD of service/Dockerfile."""
    match = re.search(r"^CMD\s+(\[.*\])\s*$", DOCKERFILE.read_text(), re.MULTILINE)
    assert match, "service/Dockerfile has no exec-form CMD"
    command = json.loads(match.group(1))
    assert isinstance(command, list) and all(isinstance(part, str) for part in command)
    return command


def local_command() -> list[str]:
    """The Dockerfile's CMD with `python` being this interpreter (the venv's, which has the requirements)."""
    command = dockerfile_cmd()
    assert command[0] == "python", command
    return [sys.executable, *command[1:]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def tool_call_body(name: str, arguments: dict[str, Any], request_id: int = 1) -> bytes:
    message = {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }
    return json.dumps(message).encode()


class ServerProcess:
    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.log_path = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        environment = {**os.environ, "PYTHONPATH": str(SERVICE_DIR), **self.env}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # the Dockerfile's CMD, from the image's WORKDIR layout
                local_command(), cwd=SERVICE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_records(self) -> list[dict[str, Any]]:
        records = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records

    def exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def wait_listening(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Until the port accepts connections (any answer), or fail with the server's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert not self.exited(), f"server exited early ({self.process and self.process.returncode}):\n{self.log()}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"server did not listen within {timeout} s:\n{self.log()}")

    def wait_for_startup(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Until /health/startup answers 200."""
        self.wait_listening(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.get("/health/startup").status == 200:
                return
            time.sleep(0.05)
        raise AssertionError(f"/health/startup not 200 within {timeout} s:\n{self.log()}")

    def terminate(self) -> float:
        """Send SIGTERM; return the monotonic time it was sent."""
        assert self.process is not None
        sent_at = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        return sent_at

    def wait_exit(self, timeout: float) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"server still running {timeout} s later:\n{self.log()}") from None

    def stop(self) -> None:
        """Teardown: whatever state the process is in, end it (SIGCONT in case a test stopped it)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)
        self.process.kill()
        self.process.wait(timeout=10)

    # -- HTTP --------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def get(self, path: str, timeout: float = 10.0) -> Reply:
        return self.request("GET", path, timeout=timeout)

    def call_tool(self, name: str, arguments: dict[str, Any], timeout: float = 10.0) -> Reply:
        return self.request("POST", "/mcp", tool_call_body(name, arguments), MCP_HEADERS, timeout)

    def metrics(self) -> str:
        reply = self.get("/metrics")
        assert reply.status == 200
        return reply.body.decode()
