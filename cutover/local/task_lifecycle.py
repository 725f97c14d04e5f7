"""ECS tasks and their targets on AWS's timing: start, `initial`, `healthy`, `draining`, SIGTERM.

Pure bookkeeping on the virtual clock (aws_timing): ecs_emulation feeds it UpdateService calls and
the target groups' settings, and reads back what DescribeServices, DescribeTargetHealth and the
router must see. Each rule, as AWS documents it:

- A task starts `task_start_seconds` after UpdateService (no figure is documented), and ECS
  registers it in the service's target group then. Until then it is pending and not a target.
- A registered target is `initial` (Elb.RegistrationInProgress, then Elb.InitialHealthChecking)
  until it has passed `health_checks_to_healthy` health checks, one per HealthCheckIntervalSeconds
  (ELB API Reference, TargetHealth; User Guide, target-group-health-checks).
- Scaling in, or replacing tasks by a new task definition, deregisters them: the target is
  `draining` (Target.DeregistrationInProgress) for the target group's deregistration delay; the
  load balancer "stops sending requests to targets that are deregistering, but uses connection
  draining to ensure that in-flight traffic completes" (ELB API Reference, DeregisterTargets); the
  state shows `draining` "until the deregistration delay timeout expires" (User Guide, edit target
  group attributes). ECS stops the task only then, with SIGTERM (ECS Developer Guide,
  load-balancer-connection-draining: ECS waits for the target to be UNUSED).
- A new task definition replaces tasks the way a rolling deployment with minimumHealthyPercent 100
  does, simplified: all new tasks start, and the old ones are deregistered once they are healthy.
- A pending task that is scaled in never registered: it is stopped at once.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from cutover.local.aws_timing import AwsTiming, Clock, Timer

DRAINING = "draining"
HEALTHY = "healthy"
INITIAL = "initial"
UNHEALTHY = "unhealthy"
REASONS = {  # the reason code AWS gives with each state (ELB API Reference, TargetHealth)
    UNHEALTHY: ("Target.FailedHealthChecks", "Health checks failed"),
    DRAINING: ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
}
REGISTRATION = ("Elb.RegistrationInProgress", "Target registration is in progress")
INITIAL_CHECKS = ("Elb.InitialHealthChecking", "Initial health checks in progress")


class TaskRunner(Protocol):
    """What runs a task's container: the demo starts a process of the example service."""

    def start_task(self, service: str, task_id: str, image: str) -> str | None:
        """Start it (returns when it is up) and return its `http://host:port`, if it serves one."""

    def stop_task(self, service: str, task_id: str) -> None:
        """SIGTERM: the task's deregistration delay is over."""


class TargetGroupSettings(NamedTuple):
    """What the target group says, read from local AWS at each UpdateService."""

    health_check_interval_seconds: float
    healthy_threshold: int
    deregistration_delay_seconds: float


class TargetState(NamedTuple):
    target_id: str
    state: str
    reason: str | None
    description: str | None


class RoutableTarget(NamedTuple):
    """A registered target as the data plane sees it."""

    target_id: str
    url: str | None
    state: str


@dataclass
class Task:
    task_id: str  # its private IP, the target's id
    service: str
    target_group: str
    task_definition: str
    image: str
    running_at: float
    healthy_at: float
    first_check_at: float
    deregistered_at: float | None = None
    stop_at: float | None = None
    url: str | None = None
    stopped: bool = False

    def live(self) -> bool:
        return self.deregistered_at is None


class TaskLifecycle:
    """Every emulated task of every service, on `clock`."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.runner: TaskRunner | None = None
        self._lock = threading.RLock()
        self._tasks: dict[str, list[Task]] = {}  # service → its tasks, oldest first
        self._launched: dict[str, int] = {}  # service → tasks launched so far (their IPs)
        self._timers: list[Timer] = []

    # -- what ECS is asked to do --------------------------------------------------------------------
    def seed(self, service: str, target_group: str, task_definition: str, image: str, count: int) -> None:
        """Tasks that already run and are healthy (the stack was created and is stable)."""
        with self._lock:
            tasks = self._tasks.setdefault(service, [])
            for _ in range(count - len(self._live(service))):
                tasks.append(self._new_task(service, target_group, task_definition, image, running_at=-math.inf))

    def update(
        self,
        service: str,
        target_group: str,
        *,
        desired: int,
        task_definition: str,
        image: str,
        timing: AwsTiming,
        settings: TargetGroupSettings,
    ) -> None:
        """What ECS does after UpdateService: start, replace or stop tasks.

        The runner starts containers outside the lock: the data plane keeps routing meanwhile."""
        with self._lock:
            now = self.clock.now()
            live = self._live(service)
            outdated = [task for task in live if task.task_definition != task_definition]
            current = [task for task in live if task.task_definition == task_definition]
            started = [
                self._new_task(service, target_group, task_definition, image, running_at=math.inf)
                for _ in range(max(0, desired - len(current)))
            ]
            self._tasks.setdefault(service, []).extend(started)
            for task in reversed(current[desired:]):
                self._deregister(task, now, settings)
            runner = self.runner
        for task in started:
            url = runner.start_task(service, task.task_id, image) if runner is not None else None
            with self._lock:
                task.url = url
                # Running once both ECS's start time has passed and the container is really up.
                task.running_at = max(now + timing.task_start_seconds, self.clock.now())
                checks = timing.health_checks_to_healthy or settings.healthy_threshold
                task.first_check_at = task.running_at + settings.health_check_interval_seconds
                task.healthy_at = task.running_at + checks * settings.health_check_interval_seconds
        with self._lock:
            # Rolling replacement: the old tasks leave once their replacements are healthy.
            replaced_at = max((task.healthy_at for task in started), default=now) if desired else now
            for task in outdated:
                if task.live():
                    self._deregister(task, max(now, replaced_at), settings)

    def stop_all_timers(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()

    def reset(self) -> None:
        with self._lock:
            self.stop_all_timers()
            self._tasks.clear()
            self._launched.clear()
            self.runner = None

    def attach(self, runner: TaskRunner) -> None:
        """Run tasks with `runner` from now on, starting the live tasks that have no process yet."""
        with self._lock:
            self.runner = runner
            for tasks in self._tasks.values():
                for task in tasks:
                    if task.live() and task.url is None:
                        task.url = runner.start_task(task.service, task.task_id, task.image)

    # -- what AWS reports ---------------------------------------------------------------------------
    def knows(self, service: str) -> bool:
        with self._lock:
            return service in self._tasks

    def counts(self, service: str) -> tuple[int, int]:
        """(running, pending) as DescribeServices reports them now."""
        with self._lock:
            now = self.clock.now()
            running = pending = 0
            for task in self._tasks.get(service, []):
                if task.stop_at is not None and now >= task.stop_at:
                    continue
                if now >= task.running_at:
                    running += 1
                else:
                    pending += 1
            return running, pending

    def target_states(self, target_group: str, override: str | None = None) -> list[TargetState]:
        """The registered and draining targets of a group, as DescribeTargetHealth lists them now."""
        with self._lock:
            now = self.clock.now()
            states = (self._state(task, now, override) for task in self._of_group(target_group))
            return [state for state in states if state is not None]

    def routable(self, target_group: str, override: str | None = None) -> list[RoutableTarget]:
        with self._lock:
            now = self.clock.now()
            found = []
            for task in self._of_group(target_group):
                state = self._state(task, now, override)
                if state is not None:
                    found.append(RoutableTarget(task.task_id, task.url, state.state))
            return found

    # -- inside -------------------------------------------------------------------------------------
    def _live(self, service: str) -> list[Task]:
        return [task for task in self._tasks.get(service, []) if task.live()]

    def _of_group(self, target_group: str) -> list[Task]:
        return [task for tasks in self._tasks.values() for task in tasks if task.target_group == target_group]

    def _new_task(
        self, service: str, target_group: str, task_definition: str, image: str, *, running_at: float
    ) -> Task:
        index = self._launched.get(service, 0)
        self._launched[service] = index + 1
        octet = 1 if service.endswith("blue") else 2
        task_id = f"10.{octet}.{index // 200}.{index % 200 + 10}"  # a fresh IP per task, as awsvpc gives
        return Task(task_id, service, target_group, task_definition, image, running_at, running_at, running_at)

    def _deregister(self, task: Task, at: float, settings: TargetGroupSettings) -> None:
        task.deregistered_at = at
        # Still pending at deregistration: never registered, so nothing to drain.
        task.stop_at = at if at < task.running_at else at + settings.deregistration_delay_seconds
        self._schedule(task.stop_at - self.clock.now(), lambda: self._stop(task), f"sigterm-{task.task_id}")

    def _schedule(self, aws_seconds: float, action: Callable[[], None], name: str) -> None:
        self._timers = [timer for timer in self._timers if timer.is_alive()]
        self._timers.append(self.clock.call_later(aws_seconds, action, name))

    def _stop(self, task: Task) -> None:
        with self._lock:
            if task.stopped:
                return
            task.stopped = True
            runner = self.runner if task.url is not None else None
        if runner is not None:
            runner.stop_task(task.service, task.task_id)

    @staticmethod
    def _state(task: Task, now: float, override: str | None) -> TargetState | None:
        if now < task.running_at:
            return None  # not started: ECS has not registered it yet
        if task.deregistered_at is not None and now >= task.deregistered_at:
            if task.stop_at is None or now >= task.stop_at:
                return None  # deregistration complete: no longer listed
            return TargetState(task.task_id, DRAINING, *REASONS[DRAINING])
        if override is not None:
            reason = REASONS.get(override, INITIAL_CHECKS if override == INITIAL else (None, None))
            return TargetState(task.task_id, override, *reason)
        if now < task.healthy_at:
            return TargetState(task.task_id, INITIAL, *(REGISTRATION if now < task.first_check_at else INITIAL_CHECKS))
        return TargetState(task.task_id, HEALTHY, None, None)
