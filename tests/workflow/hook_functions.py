"""User hook Lambdas for the hook tests (local functions: cutover/local/hook_functions.py).

BEHAVIOUR sets how each hook answers, per stage or per function name (the name wins): pass,
fail ({"status": "FAILED", "reason": …}), fail_without_reason ({"status": "FAILED"}), raise,
hang (longer than the configured hook timeout), or one of the ANSWERS outside the contract.
OBSERVE, when a test adds to it, is what the hook looks at while it runs (e.g. the listener's
weights); OBSERVED keeps what it saw."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cutover.local.hook_functions import create_local_function
from cutover.local.runtime import LocalCutover

STAGES = ("before_traffic", "after_traffic", "on_step", "on_rollback")
BEHAVIOUR: dict[str, str] = dict.fromkeys(STAGES, "pass")
RECEIVED: list[dict[str, Any]] = []
CALLED: list[str] = []  # function names, in the order they were invoked
OBSERVE: list[Callable[[], Any]] = []  # at most one: what the hook reads while it runs
OBSERVED: list[Any] = []
HANG_SECONDS = 4.0
# Answers outside the contract (docs/workflow.md, Lifecycle hooks), and returning nothing.
ANSWERS: dict[str, object] = {
    "nothing": None,
    "a_string": "all good",
    "a_list": ["SUCCEEDED"],
    "an_empty_list": [],
    "no_status": {"checked": 3},
    "status_42": {"status": 42},
    "unknown_status": {"status": "PASSED"},
    "reason_42": {"status": "FAILED", "reason": 42},
}


class MigrationCheckFailed(Exception):
    pass


def handler(event: dict[str, Any], context: Any) -> object:
    RECEIVED.append(event)
    CALLED.append(context.function_name)
    for observe in OBSERVE:
        # Read as the test, on another thread: the hook function has no role in the template,
        # so local IAM could not check calls made in its invocation's context.
        with ThreadPoolExecutor(max_workers=1) as pool:
            OBSERVED.append(pool.submit(observe).result())
    behaviour = BEHAVIOUR.get(context.function_name, BEHAVIOUR[event["hook"]])
    if behaviour in ANSWERS:
        return ANSWERS[behaviour]
    if behaviour == "fail":
        return {"status": "FAILED", "reason": "schema version 41 expected, found 40"}
    if behaviour == "fail_without_reason":
        return {"status": "FAILED"}
    if behaviour == "raise":
        raise MigrationCheckFailed("could not reach the database")
    if behaviour == "hang":
        time.sleep(HANG_SECONDS)
    return {"status": "SUCCEEDED"}


def create_hook_functions(local: LocalCutover, arns: Iterable[str]) -> None:
    """The user's hook functions in local AWS (their code is `handler` above, run in-process by
    cutover/local/hook_functions.py), each answering `pass` until a test sets BEHAVIOUR."""
    for arn in arns:
        create_local_function(local, arn, handler)
    BEHAVIOUR.clear()
    BEHAVIOUR.update(dict.fromkeys(STAGES, "pass"))
    for recorded in (RECEIVED, CALLED, OBSERVE, OBSERVED):
        recorded.clear()
