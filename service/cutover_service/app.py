"""The ASGI application: the MCP server (stateless streamable HTTP, JSON responses) plus probes and metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from cutover_service import appointments, probes
from cutover_service.flags import read_flags
from cutover_service.metrics import ServiceMetrics
from cutover_service.middleware import CutoverMiddleware
from cutover_service.settings import Settings
from cutover_service.state import LoopLagMonitor, ServiceState

MCP_PATH = "/mcp"
SERVER_NAME = "cutover-demo-appointments"


class VersionInfo(BaseModel):
    version: str
    side: str
    phase: str
    flags: dict[str, bool]  # the feature flags this process reads now (flags.py)


def build_mcp_server(settings: Settings, state: ServiceState) -> MCPServer:
    server = MCPServer(
        SERVER_NAME,
        version=settings.service_version,
        instructions="Demo appointments service deployed blue/green by Cutover.",
        log_level=settings.log_level,
    )

    def search_appointments(patient_name: str, date: str | None = None) -> list[appointments.Appointment]:
        """Find appointments by (part of) the patient's name, optionally on one date (YYYY-MM-DD)."""
        try:
            return appointments.search(patient_name, date)
        except ValueError as error:  # the caller's mistake: tell it what was wrong
            raise ToolError(str(error)) from None

    def get_version() -> VersionInfo:
        """Which release answered, on which side (blue or green) it runs, and the feature flags it reads."""
        return VersionInfo(
            version=settings.service_version,
            side=settings.side,
            phase=str(state.phase),
            flags=read_flags(settings.feature_flags_file).flags,
        )

    server.add_tool(search_appointments)
    server.add_tool(get_version)
    return server


@dataclass
class Service:
    """Everything one server process holds: settings, lifecycle state, metrics and the ASGI app."""

    settings: Settings
    state: ServiceState
    monitor: LoopLagMonitor
    metrics: ServiceMetrics
    app: ASGIApp


def build_service(settings: Settings) -> Service:
    state = ServiceState()
    monitor = LoopLagMonitor()
    metrics = ServiceMetrics(settings, state, monitor)
    mcp_server = build_mcp_server(settings, state)
    mcp_app = mcp_server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,  # any replica, on either side, can answer any request while traffic shifts
        json_response=True,
        # Behind an ALB the Host header is the load balancer's name: no DNS-rebinding allow-list.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )

    def probe(result_of: str) -> Route:
        async def endpoint(_: Request) -> Response:
            if result_of == "startup":
                result = probes.startup(state, settings)
            elif result_of == "live":
                result = probes.live(state, monitor, settings)
            else:
                result = probes.ready(state, settings)
            body = {**result.body, **read_flags(settings.feature_flags_file).shown()}
            return JSONResponse(body, result.status_code, headers={"Cache-Control": "no-store"})

        path = "/health" if result_of == "health" else f"/health/{result_of}"
        return Route(path, endpoint, methods=["GET"])

    async def metrics_endpoint(_: Request) -> Response:
        body, content_type = metrics.render()
        return Response(body, headers={"Content-Type": content_type})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with mcp_server.session_manager.run():
            background = [
                asyncio.create_task(monitor.run(), name="loop-lag-monitor"),
                asyncio.create_task(state.finish_startup(settings.startup_delay_seconds), name="startup"),
            ]
            try:
                yield
            finally:
                for task in background:
                    task.cancel()
                await asyncio.gather(*background, return_exceptions=True)

    routes = [probe(name) for name in ("startup", "live", "ready", "health")]
    routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    starlette_app = Starlette(routes=[*routes, Mount("/", app=mcp_app)], lifespan=lifespan)
    app = CutoverMiddleware(starlette_app, settings=settings, state=state, metrics=metrics)
    return Service(settings, state, monitor, metrics, app)
