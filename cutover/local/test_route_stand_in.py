"""A stand-in for the ALB's protected test route on 127.0.0.1 (moto has no data plane).

It applies the rule the listener holds: `X-Canary-Version: <side>` plus the right
`X-Cutover-Test-Token` reaches that side; anything else gets a 403. Each side answers
as the test sets it: status, JSON body, delay, or held until the test releases it."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class SideBehaviour:
    status: int = 200
    body: Any = field(default_factory=lambda: {"status": "ok"})
    delay_seconds: float = 0.0
    # Answer only once this is set (at most hold_seconds): a test can keep a smoke test in
    # flight until it has done what it must do during one, however slow the machine.
    hold: threading.Event | None = None
    hold_seconds: float = 20.0


@dataclass
class TestRouteStandIn:
    __test__ = False  # not a pytest test class

    token: str
    sides: dict[str, SideBehaviour] = field(default_factory=lambda: {"blue": SideBehaviour(), "green": SideBehaviour()})
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # (side, path, token)

    def __post_init__(self) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                side = self.headers.get("X-Canary-Version")
                token = self.headers.get("X-Cutover-Test-Token")
                stand_in.requests.append((side or "", self.path, token))
                if side not in stand_in.sides or token != stand_in.token:
                    self._send(403, {"error": "no test route for these headers"})
                    return
                behaviour = stand_in.sides[side]
                time.sleep(behaviour.delay_seconds)
                if behaviour.hold is not None:
                    behaviour.hold.wait(behaviour.hold_seconds)
                self._send(behaviour.status, behaviour.body)

            def _send(self, status: int, body: Any) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
