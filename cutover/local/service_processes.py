"""Real processes of the example service (service/) on 127.0.0.1: the demo's ECS tasks.

moto's ECS records services and task definitions but runs nothing. Here a side's task is
`python -m cutover_service` (the image's CMD, with this interpreter) started with what the side's
task definition would set: SERVICE_VERSION, CUTOVER_SIDE, ERROR_RATE, EXTRA_LATENCY_MS, on a free
port, with short drain timings so that a stop takes about a second rather than the 30 s an ECS task
gets, and FEATURE_FLAGS_FILE: the fleet's one flags file (feature_flags.py), the flag service. A
process counts as started when `/health/startup` answers 200 (about 1.5 s). Stopping is what ECS does:
SIGTERM (the service drains, then exits 0), SIGKILL if it has not exited in time.

`ServiceFleet` holds a process per side and, as a context manager, stops everything it started, also
on an exception or Ctrl-C; `replace()` starts the new process before stopping the old one, as ECS
does when a service gets a new task definition. Only the PIDs started here are ever signalled; the
processes run in their own session, so a Ctrl-C in the terminal reaches the demo, which stops them.
Each process's output goes to a log file (`log_path`), not the terminal.
"""

from __future__ import annotations

import atexit
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from cutover.local.feature_flags import FEATURE_FLAGS_FILE_VARIABLE, FlagsFile
from cutover.shifter.contract import ContainerEnv

SERVICE_DIR = Path(__file__).resolve().parents[2] / "service"
STARTUP_TIMEOUT_SECONDS = 30.0
PORT_ATTEMPTS = 3  # a free port can be taken between choosing it and the child binding it

_live: set[ServiceProcess] = set()  # started and not yet stopped: killed at interpreter exit
_live_lock = threading.Lock()


class ServiceStartError(RuntimeError):
    """The process exited or did not pass /health/startup in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServiceProcess:
    """One `cutover_service` process: `start()`, then `url`, then `stop()`."""

    def __init__(
        self,
        side: str,
        version: str = "v1",
        *,
        error_rate: float = 0.0,
        extra_latency_ms: int = 0,
        startup_delay_seconds: float = 0.0,
        drain_propagation_seconds: float = 0.5,
        drain_timeout_seconds: int = 2,
        log_dir: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.side = side
        self.version = version
        self.drain_seconds = drain_propagation_seconds + drain_timeout_seconds
        self.settings = {
            "HOST": "127.0.0.1",
            "SERVICE_VERSION": version,
            ContainerEnv.SIDE.value: side,  # what the stack gives each side's container
            "ERROR_RATE": str(error_rate),
            "EXTRA_LATENCY_MS": str(extra_latency_ms),
            "STARTUP_DELAY_SECONDS": str(startup_delay_seconds),
            "DRAIN_PROPAGATION_SECONDS": str(drain_propagation_seconds),
            "DRAIN_TIMEOUT_SECONDS": str(drain_timeout_seconds),
            "LOG_LEVEL": "INFO",
            **(extra_env or {}),
        }
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="cutover-service-"))
        self.port = 0
        self.log_path = self.log_dir / f"{side}-{version}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        state = "not started" if self.process is None else f"pid {self.pid}, {self.url}"
        return f"ServiceProcess({self.side} {self.version}, {state})"

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self, timeout_seconds: float = STARTUP_TIMEOUT_SECONDS) -> ServiceProcess:
        """Start the process and wait until /health/startup is 200; on failure it is killed and raised."""
        if self.process is not None:
            raise RuntimeError(f"{self!r} was already started")
        deadline = time.monotonic() + timeout_seconds
        for attempt in range(1, PORT_ATTEMPTS + 1):
            self._spawn()
            try:
                self._wait_started(deadline)
                return self
            except ServiceStartError:
                self.kill()
                if attempt < PORT_ATTEMPTS and "address already in use" in self.log_tail().lower():
                    self.process = None
                    continue
                raise
            except BaseException:  # Ctrl-C while waiting: leave nothing behind
                self.kill()
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self, timeout_seconds: float | None = None) -> int:
        """SIGTERM, wait (default: the drain timings + 5 s), then SIGKILL; return the exit code."""
        if self.process is None:
            raise RuntimeError(f"{self!r} was never started")
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(self.drain_seconds + 5.0 if timeout_seconds is None else timeout_seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10.0)
            except BaseException:  # interrupted while waiting: do not leave it running
                self.kill()
                raise
        _forget(self)
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL if still running, and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10.0)
        _forget(self)

    def _spawn(self) -> None:
        self.port = free_port()
        python_path = os.pathsep.join(filter(None, [str(SERVICE_DIR), os.environ.get("PYTHONPATH")]))
        environment = {
            **os.environ,
            **self.settings,
            "PORT": str(self.port),
            "PYTHONPATH": python_path,
            "PYTHONUNBUFFERED": "1",
        }
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / f"{self.side}-{self.version}-{self.port}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cutover_service"],
                cwd=SERVICE_DIR,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        with _live_lock:
            _live.add(self)

    def _wait_started(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not self.running:
                raise ServiceStartError(f"{self!r} exited with {self.returncode} while starting:\n{self.log_tail()}")
            if self._startup_status() == 200:
                return
            time.sleep(0.05)
        raise ServiceStartError(f"{self!r}: /health/startup not 200 in time:\n{self.log_tail()}")

    def _startup_status(self) -> int | None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
        try:
            connection.request("GET", "/health/startup")
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            connection.close()

    # -- state --------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("not started")
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class ServiceFleet:
    """The processes of a demo, one current process per side; stops all it started on exit."""

    def __init__(
        self, log_dir: Path | None = None, drain_propagation_seconds: float = 0.5, drain_timeout_seconds: int = 2
    ) -> None:
        self.owns_log_dir = log_dir is None  # a temp dir of its own is removed by stop_all
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="cutover-fleet-"))
        self.drain_propagation_seconds = drain_propagation_seconds
        self.drain_timeout_seconds = drain_timeout_seconds
        self.current: dict[str, ServiceProcess] = {}
        self.started: list[ServiceProcess] = []  # every process, replaced ones included
        # One flags file for every process, as every task reads the same flag service.
        self.flags = FlagsFile(self.log_dir / "feature-flags.json")

    def __enter__(self) -> ServiceFleet:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop_all()

    def __getitem__(self, side: str) -> ServiceProcess:
        return self.current[side]

    def start(
        self,
        side: str,
        version: str = "v1",
        *,
        error_rate: float = 0.0,
        extra_latency_ms: int = 0,
        startup_delay_seconds: float = 0.0,
    ) -> ServiceProcess:
        """Start a process for a side that has none; return it once /health/startup is 200."""
        if side in self.current and self.current[side].running:
            raise RuntimeError(f"{side} already runs {self.current[side]!r}: use replace()")
        process = self._start(side, version, error_rate, extra_latency_ms, startup_delay_seconds)
        self.current[side] = process
        return process

    def replace(
        self,
        side: str,
        *,
        version: str,
        error_rate: float = 0.0,
        extra_latency_ms: int = 0,
        startup_delay_seconds: float = 0.0,
        before_stop: Callable[[ServiceProcess], None] | None = None,
    ) -> ServiceProcess:
        """Start the side's new process, call `before_stop(new)` (e.g. point the router at it), stop the old.

        If the new process fails to start, the old one keeps running and the error is raised.
        """
        old = self.current[side]
        new = self._start(side, version, error_rate, extra_latency_ms, startup_delay_seconds)
        self.current[side] = new
        if before_stop is not None:
            before_stop(new)
        old.stop()
        return new

    def stop(self, side: str) -> int:
        return self.current.pop(side).stop()

    def launch(self, side: str, version: str, *, error_rate: float = 0.0, extra_latency_ms: int = 0) -> ServiceProcess:
        """Start a process for a side beside its others (an ECS task of a new or draining release);
        the caller stops it, and `stop_all` stops it if the caller has not."""
        return self._start(side, version, error_rate, extra_latency_ms, 0.0)

    def stop_all(self) -> dict[int, int | None]:
        """Stop every process started (in parallel, each bounded); return exit codes by PID."""
        running = [process for process in self.started if process.running]
        threads = [threading.Thread(target=_stop_quietly, args=(process,), daemon=True) for process in running]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:  # interrupted while waiting: kill what is left
            for process in self.started:
                process.kill()
            if self.owns_log_dir:
                shutil.rmtree(self.log_dir, ignore_errors=True)
        self.current.clear()
        return {process.pid: process.returncode for process in self.started if process.process is not None}

    def _start(
        self, side: str, version: str, error_rate: float, extra_latency_ms: int, startup_delay_seconds: float
    ) -> ServiceProcess:
        process = ServiceProcess(
            side,
            version,
            error_rate=error_rate,
            extra_latency_ms=extra_latency_ms,
            startup_delay_seconds=startup_delay_seconds,
            drain_propagation_seconds=self.drain_propagation_seconds,
            drain_timeout_seconds=self.drain_timeout_seconds,
            log_dir=self.log_dir,
            extra_env={FEATURE_FLAGS_FILE_VARIABLE: str(self.flags.path)},
        )
        self.started.append(process)
        return process.start()


def _stop_quietly(process: ServiceProcess) -> None:
    try:
        process.stop()
    except Exception:  # the caller kills whatever is still running
        return


def _forget(process: ServiceProcess) -> None:
    with _live_lock:
        _live.discard(process)


@atexit.register
def _kill_leftovers() -> None:
    """A process not stopped by its owner (no `with`, a crash) must not outlive the demo."""
    with _live_lock:
        leftovers = list(_live)
    for process in leftovers:
        process.kill()
