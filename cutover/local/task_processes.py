"""ECS tasks as processes of the example service: what runs a side's tasks on AWS's timing.

The ECS emulation (task_lifecycle) calls `start_task` when ECS would start a task and `stop_task`
when ECS would send it SIGTERM, after its target's deregistration delay. A process per side and
release serves all its tasks (two tasks of a side share one process: this machine has two cores);
it is started with the first task and stopped, with SIGTERM, when its last task is: the example
service then drains (its /health answers 503, in-flight requests finish) and exits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cutover.local.service_processes import ServiceFleet, ServiceProcess


@dataclass
class _Release:
    process: ServiceProcess
    tasks: set[str] = field(default_factory=set)


def _no_extra_latency(release: str) -> int:
    return 0


class TaskProcesses:
    """A TaskRunner: `sides` maps an ECS service name to its side, `version_of` an image to its release;
    `error_rates` a release to its processes' ERROR_RATE, `extra_latency_ms` to their EXTRA_LATENCY_MS."""

    def __init__(
        self,
        fleet: ServiceFleet,
        sides: Mapping[str, str],
        version_of: Callable[[str], str],
        error_rates: Mapping[str, float] | None = None,
        extra_latency_ms: Callable[[str], int] | None = None,
    ) -> None:
        self.fleet = fleet
        self.sides = sides
        self.version_of = version_of
        self.error_rates = error_rates or {}
        self.extra_latency_ms = extra_latency_ms or _no_extra_latency
        self._lock = threading.Lock()
        self._releases: dict[tuple[str, str], _Release] = {}
        self._task_release: dict[str, tuple[str, str]] = {}

    def start_task(self, service: str, task_id: str, image: str) -> str | None:
        side = self.sides.get(service)
        if side is None:
            return None
        version = self.version_of(image)
        key = (side, version)
        with self._lock:
            release = self._releases.get(key)
            if release is None or not release.process.running:
                process = self.fleet.launch(
                    side,
                    version,
                    error_rate=self.error_rates.get(version, 0.0),
                    extra_latency_ms=self.extra_latency_ms(version),
                )
                release = self._releases[key] = _Release(process)
            release.tasks.add(task_id)
            self._task_release[task_id] = key
            return release.process.url

    def stop_task(self, service: str, task_id: str) -> None:
        with self._lock:
            key = self._task_release.pop(task_id, None)
            release = self._releases.get(key) if key is not None else None
            if key is None or release is None:
                return
            release.tasks.discard(task_id)
            if release.tasks:
                return
            del self._releases[key]
        release.process.stop()  # SIGTERM; the service drains and exits

    def processes(self) -> dict[tuple[str, str], ServiceProcess]:
        """(side, release) → the process serving its tasks now."""
        with self._lock:
            return {key: release.process for key, release in self._releases.items()}
