"""Smoke tests against the idle side through the protected test route."""

from __future__ import annotations

from shifter.adapters import http_probe, secrets
from shifter.logic.errors import SmokeTestFailed
from shifter.logic.smoke import build_request_body, evaluate
from shifter.logic.state import WorkflowState
from shifter.steps.context import Context, note
from shifter.steps.requests import current_lock

CANARY_HEADER = "X-Canary-Version"
TOKEN_HEADER = "X-Cutover-Test-Token"
REQUEST_TIMEOUT_SECONDS = 10.0


def run_smoke_tests(state: WorkflowState, ctx: Context) -> WorkflowState:
    env = ctx.env
    assert state.new_side is not None
    current_lock(state, ctx)
    route: dict[str, str] = {CANARY_HEADER: state.new_side}
    if env.test_token_secret_arn:
        route[TOKEN_HEADER] = secrets.secret_string(env.test_token_secret_arn)
    for test in state.deployment.smoke_tests:
        body, body_headers = build_request_body(test)
        url = env.base_url.rstrip("/") + test.path
        try:
            response = http_probe.request(
                url, test.method, {**test.headers, **body_headers, **route}, body, REQUEST_TIMEOUT_SECONDS
            )
        except OSError as error:  # refused, reset, DNS, timeout
            raise SmokeTestFailed(f"{test.method} {test.path}: no response from {env.base_url} ({error})") from None
        failure = evaluate(test, response)
        if failure is not None:
            raise SmokeTestFailed(f"{failure} (through the test route to {state.new_side})")
    note(state, "smoke tests passed", count=len(state.deployment.smoke_tests))
    return state
