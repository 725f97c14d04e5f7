"""Smoke tests against the idle side through the protected test route."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Final

from cutover.shifter.logic.errors import SmokeTestFailed
from cutover.shifter.logic.inputs import SmokeTest
from cutover.shifter.logic.smoke import SmokeResponse, build_request_body, evaluate
from cutover.shifter.logic.state import WorkflowState
from cutover.shifter.steps.context import Context, note
from cutover.shifter.steps.requests import current_lock

CANARY_HEADER = "X-Canary-Version"
TOKEN_HEADER = "X-Cutover-Test-Token"
REQUEST_TIMEOUT_SECONDS: Final = 10.0
# The workflow Lambda times out at 60 s (cutover/cdk/shifter_functions.py) and Step Functions then
# reports Sandbox.Timedout, which says nothing about the new side. 20 tests of 10 s each would not fit:
# the requests share one deadline, leaving the rest of the 60 s to the lock and secret reads.
SMOKE_TESTS_DEADLINE_SECONDS: Final = 30.0

Send = Callable[[str, str, dict[str, str], bytes | None, float], SmokeResponse]


def run_smoke_tests(state: WorkflowState, ctx: Context) -> WorkflowState:
    env = ctx.env
    assert state.new_side is not None
    started = time.monotonic()
    current_lock(state, ctx)
    route: dict[str, str] = {CANARY_HEADER: state.new_side}
    if env.test_token_secret_arn:
        route[TOKEN_HEADER] = ctx.secrets.secret_string(env.test_token_secret_arn)
    run_within_deadline(
        state.deployment.smoke_tests,
        base_url=env.base_url,
        route=route,
        send=ctx.probe.request,
        clock=time.monotonic,
        deadline=started + SMOKE_TESTS_DEADLINE_SECONDS,
    )
    note(state, "smoke tests passed", count=len(state.deployment.smoke_tests))
    return state


def run_within_deadline(
    tests: Sequence[SmokeTest],
    *,
    base_url: str,
    route: dict[str, str],
    send: Send,
    clock: Callable[[], float],
    deadline: float,
) -> None:
    """Each test in turn; SmokeTestFailed at the first failure or once the deadline has passed."""
    side = route[CANARY_HEADER]
    for index, test in enumerate(tests):
        remaining = deadline - clock()
        if remaining <= 0:
            raise SmokeTestFailed(
                f"smoke tests: {index} of {len(tests)} ran within the step's {SMOKE_TESTS_DEADLINE_SECONDS:.0f} s "
                f"deadline (the idle side {side} answers too slowly)"
            )
        body, body_headers = build_request_body(test)
        url = base_url.rstrip("/") + test.path
        try:
            response = send(
                url,
                test.method,
                {**test.headers, **body_headers, **route},
                body,
                min(REQUEST_TIMEOUT_SECONDS, remaining),
            )
        except OSError as error:  # refused, reset, DNS, timeout
            raise SmokeTestFailed(f"{test.method} {test.path}: no response from {base_url} ({error})") from None
        failure = evaluate(test, response)
        if failure is not None:
            raise SmokeTestFailed(f"{failure} (through the test route to {side})")
