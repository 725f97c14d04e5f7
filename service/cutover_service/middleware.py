"""The outermost ASGI layer: version headers, metrics, access log, and the demo's fault injection."""

from __future__ import annotations

import asyncio
import logging
import math
import time

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cutover_service.metrics import ServiceMetrics, route_label
from cutover_service.settings import Settings
from cutover_service.state import ServiceState

logger = logging.getLogger("cutover_service.access")

VERSION_HEADER = "X-Service-Version"
SIDE_HEADER = "X-Cutover-Side"
MCP_ROUTE = "/mcp"
QUIET_ROUTES = frozenset({"/health", "/health/startup", "/health/live", "/health/ready", "/metrics"})
KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class ErrorBudget:
    """Decides which requests fail on purpose: exactly floor(n x rate) of the first n, spread evenly.

    Deterministic, so a demo with ERROR_RATE=0.25 fails every fourth MCP request, not a random few.
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.seen = 0

    def should_fail(self) -> bool:
        before = math.floor(self.seen * self.rate + 1e-9)
        self.seen += 1
        return math.floor(self.seen * self.rate + 1e-9) > before


class CutoverMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, state: ServiceState, metrics: ServiceMetrics) -> None:
        self.app = app
        self.settings = settings
        self.state = state
        self.metrics = metrics
        self.errors = ErrorBudget(settings.error_rate)
        self.extra_latency = settings.extra_latency_ms / 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = route_label(scope["path"])
        method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
        status = 500  # what the client gets if the application fails before it answers
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[VERSION_HEADER] = self.settings.service_version
                headers[SIDE_HEADER] = self.settings.side
                if self.state.draining:
                    # Clients on keep-alive reconnect, and so land on a replica that is not leaving.
                    headers["Connection"] = "close"
            await send(message)

        self.state.in_flight += 1
        try:
            if route == MCP_ROUTE:
                await self._serve_mcp(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - started
            self.state.in_flight -= 1
            self.metrics.observe(route, method, status, seconds)
            level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
            logger.log(
                level,
                "%s %s %d",
                method,
                scope["path"],
                status,
                extra={"route": route, "status": status, "duration_ms": round(seconds * 1000, 1)},
            )

    async def _serve_mcp(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.extra_latency > 0:
            await asyncio.sleep(self.extra_latency)
        if not self.state.started:
            await _jsonrpc_error(503, -32000, "the service is still starting")(scope, receive, send)
        elif self.errors.should_fail():
            self.metrics.injected_errors.inc()
            await _jsonrpc_error(500, -32603, "injected failure (ERROR_RATE)")(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _jsonrpc_error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}, status)
