"""Step Functions' quotas that moto's interpreter does not enforce, enforced as AWS does.

- History: "Maximum execution history size: 25,000 events in a single state machine execution
  history. If the execution history reaches this quota, the execution will fail."
  (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). On AWS event
  25,000 is the ExecutionFailed event itself, error States.Runtime, cause "The execution reached
  the maximum number of history events (25000)." (observed: loads/ardere#86, floci-io/floci#2734).
  The cap is configurable so that tests can reach it in seconds (`history.cap`).
- The state machine's TimeoutSeconds: moto's interpreter applies it in real time, while local
  Wait states are compressed (time_compression); here it applies to the execution's simulated
  time (real time plus the seconds the compressed waits skipped), so a local execution times
  out when the same execution on AWS would.
- State input/output of 256 KiB: moto enforces it already (moto.stepfunctions.parser.quotas,
  States.DataLimitExceeded); tests/local/test_step_functions_quotas.py shows it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackOutcomeFailure
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.asl.eval.program_state import ProgramError
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.utils import TMP_THREADS

from cutover.local import time_compression

AWS_HISTORY_QUOTA = 25_000


@dataclass
class HistoryQuota:
    cap: int = AWS_HISTORY_QUOTA

    def cause(self) -> str:
        return f"The execution reached the maximum number of history events ({self.cap})."


history = HistoryQuota()
_lock = threading.Lock()


def _root_environment(env: Any) -> Any:
    """Parallel branches run in frames that share the root's event manager."""
    return getattr(env.event_manager, "cutover_root", env)


def _cap_error() -> ExecutionFailedEventDetails:
    return ExecutionFailedEventDetails(error="States.Runtime", cause=history.cause())


def _fail_at_cap(root: Any) -> None:
    """End the execution FAILED with AWS's error. Not Environment.set_error alone: it would hand
    the error to running Parallel branches, which re-raise it as a state error; and a task
    waiting on a token would never wake (moto cannot interrupt it), so its wait is failed too."""
    with root._state_mutex:
        root._program_state = ProgramError(error=_cap_error())
        frames = list(root._frames)
    for frame in frames:
        frame.set_ended()
    for callback_id, endpoint in list(root.callback_pool_manager._pool.items()):
        if endpoint.get_outcome() is None:
            endpoint.notify(CallbackOutcomeFailure(callback_id, error="States.Runtime", cause=history.cause()))
    root.program_state_event.set()
    root.program_state_event.clear()


def _install_history_cap() -> None:
    original_environment = ExecutionWorker._get_evaluation_environment
    original_add_event = EventManager.add_event

    def evaluation_environment(self: Any) -> Any:
        env = original_environment(self)
        env.event_manager.cutover_root = env  # type: ignore[attr-defined]
        env.cutover_skipped_seconds = 0.0  # type: ignore[attr-defined]
        return env

    def add_event(self: Any, context: Any, event_type: Any, *args: Any, **kwargs: Any) -> int:
        with _lock:
            if getattr(self, "cutover_capped", False):
                if event_type != HistoryEventType.ExecutionFailed:
                    return int(context.last_published_event_id)  # AWS records nothing after the cap
                root = self.cutover_root
                with root._state_mutex:
                    root._program_state = ProgramError(error=_cap_error())  # whatever a state raised since
                details = EventDetails(executionFailedEventDetails=_cap_error())  # type: ignore[typeddict-item]
                return int(original_add_event(self, context, event_type, details))
            event_id: int = original_add_event(self, context, event_type, *args, **kwargs)
            reached = len(self._history_event_list) >= history.cap - 1
            root = getattr(self, "cutover_root", None)
            if reached and root is not None and not getattr(self, "cutover_capped", False):
                self.cutover_capped = True  # the ExecutionFailed event is the cap-th
                _fail_at_cap(root)
            return event_id

    ExecutionWorker._get_evaluation_environment = evaluation_environment  # type: ignore[method-assign]
    EventManager.add_event = add_event  # type: ignore[method-assign]


def _install_simulated_timeout() -> None:
    compressed_wait = wait_function.WaitFunction._wait_interval

    def wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        root = _root_environment(env)
        started = time.monotonic()
        root.cutover_waiting = (started, wait_seconds)
        try:
            compressed_wait(self, env, wait_seconds)
        finally:
            root.cutover_waiting = None
            skipped = max(0.0, wait_seconds - (time.monotonic() - started))
            root.cutover_skipped_seconds = getattr(root, "cutover_skipped_seconds", 0.0) + skipped

    def simulated_seconds(env: Any, started: float) -> float:
        """Real time since the start, plus what compressed waits skipped (the running one too)."""
        now = time.monotonic()
        simulated = now - started + getattr(env, "cutover_skipped_seconds", 0.0)
        waiting = getattr(env, "cutover_waiting", None)
        if waiting is not None:
            wait_started, wait_seconds = waiting
            real = now - wait_started
            simulated += max(0.0, min(wait_seconds, real / time_compression.recorder.scale) - real)
        return simulated

    def evaluate(self: Any, env: Any) -> None:
        timeout = self.timeout_seconds.timeout_seconds if self.timeout_seconds else None
        env.next_state_name = self.start_at.start_at_name
        worker = threading.Thread(target=super(Program, self).eval, args=(env,), daemon=True)
        TMP_THREADS.append(worker)
        started = time.monotonic()
        worker.start()
        while worker.is_alive():
            worker.join(timeout=0.02)
            if timeout is not None and worker.is_alive() and simulated_seconds(env, started) >= timeout:
                env.set_timed_out()
                # Bounded: moto cannot interrupt a task waiting on a token; its result is ignored.
                worker.join(timeout=5)
                return

    wait_interval.cutover_compressed = True  # type: ignore[attr-defined]  # time_compression.install: done
    setattr(wait_function.WaitFunction, "_wait_interval", wait_interval)  # noqa: B010
    Program.eval = evaluate  # type: ignore[method-assign]


def install() -> HistoryQuota:
    """Idempotent; after time_compression.install (it wraps the compressed wait)."""
    if getattr(Program.eval, "cutover_quotas", False):
        return history
    _install_history_cap()
    _install_simulated_timeout()
    Program.eval.cutover_quotas = True  # type: ignore[attr-defined]
    return history
