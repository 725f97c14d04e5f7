"""Runs the service under uvicorn with our own SIGTERM handling: readiness off, propagate, drain, exit 0.

uvicorn on its own stops accepting connections the moment SIGTERM arrives, before the load balancer
has noticed anything, and re-raises the signal on the way out (so the process dies by SIGTERM rather
than exiting 0). Here the signal only flips readiness to 503; the server keeps serving for
DRAIN_PROPAGATION_SECONDS, then closes its listeners and gives in-flight requests up to
DRAIN_TIMEOUT_SECONDS (uvicorn's graceful shutdown) before the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from cutover_service.app import Service, build_service
from cutover_service.settings import Settings

logger = logging.getLogger(__name__)

SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class DrainingServer(uvicorn.Server):
    """uvicorn.Server that leaves signals to `ServiceRunner`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ServiceRunner:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.service: Service = build_service(settings)
        config = uvicorn.Config(
            self.service.app,
            host=settings.host,
            port=settings.port,
            log_config=None,  # logging is ours (JSON on stdout)
            access_log=False,  # the middleware logs requests, with route and duration
            lifespan="on",
            # Above the ALB's 60 s idle timeout: the load balancer, not the target, closes idle connections.
            timeout_keep_alive=settings.keep_alive_timeout_seconds,
            timeout_graceful_shutdown=settings.drain_timeout_seconds,
            server_header=False,
        )
        self.server = DrainingServer(config)
        self._propagation: asyncio.Task[None] | None = None

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in SHUTDOWN_SIGNALS:
            loop.add_signal_handler(sig, self.handle_signal, sig)
        logger.info("starting", extra={"settings": self.settings.public_summary()})
        try:
            await self.server.serve()
        finally:
            for sig in SHUTDOWN_SIGNALS:
                loop.remove_signal_handler(sig)
            if self._propagation is not None:
                self._propagation.cancel()
        logger.info("stopped")

    def handle_signal(self, sig: int) -> None:
        """First signal: start draining. Second: skip the rest of the propagation delay. Third: force."""
        name = signal.Signals(sig).name
        if self.service.state.begin_drain():
            logger.info(
                "%s: readiness now 503; serving on for %.1f s so the load balancer stops routing here",
                name,
                self.settings.drain_propagation_seconds,
                extra={"in_flight": self.service.state.in_flight},
            )
            self._propagation = asyncio.get_running_loop().create_task(self._close_after_propagation())
        elif not self.server.should_exit:
            logger.warning("%s again: skipping the rest of the propagation delay", name)
            self.server.should_exit = True
        else:
            logger.warning("%s again: cancelling in-flight requests now", name)
            self.server.force_exit = True

    async def _close_after_propagation(self) -> None:
        await asyncio.sleep(self.settings.drain_propagation_seconds)
        logger.info(
            "propagation delay over: closing listeners, draining in-flight requests for up to %d s",
            self.settings.drain_timeout_seconds,
            extra={"connections": len(self.server.server_state.connections)},
        )
        self.server.should_exit = True


def run(settings: Settings) -> None:
    asyncio.run(ServiceRunner(settings).serve())
