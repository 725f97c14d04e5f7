"""run_smoke_tests against a fake test route (FakeProbe): what each request carries, and
what a failed or unanswered test says."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cutover.shifter.logic.errors import Aborted, SmokeTestFailed
from cutover.shifter.logic.inputs import SmokeTest
from cutover.shifter.logic.state import WorkflowState
from cutover.shifter.steps import smoke_tests
from tests.unit.shifter.fakes.context import World, world
from tests.unit.shifter.fakes.deployment import deploying, plan

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:test-token"
TESTS = (SmokeTest(path="/health"), SmokeTest(path="/orders", method="POST", body={"id": 1}, expect_status=201))


def with_smoke_tests(w: World) -> WorkflowState:
    return deploying(w, plan=plan(smoke_tests=TESTS))


def test_each_test_goes_through_the_test_route_to_the_idle_side() -> None:
    w = world()
    w.probe.statuses["/orders"] = 201
    state = smoke_tests.run_smoke_tests(with_smoke_tests(w), w.ctx)
    assert [(method, url) for method, url, _, _ in w.probe.requests] == [
        ("GET", "http://test-route/health"),
        ("POST", "http://test-route/orders"),
    ]
    headers = w.probe.requests[1][2]
    assert headers[smoke_tests.CANARY_HEADER] == "green" and smoke_tests.TOKEN_HEADER not in headers
    assert headers["Content-Type"] == "application/json"
    assert all(timeout <= smoke_tests.REQUEST_TIMEOUT_SECONDS for *_, timeout in w.probe.requests)
    assert state.timeline[-1].event == "smoke tests passed" and state.timeline[-1].detail == {"count": 2}


def test_the_test_route_token_comes_from_the_secret_when_the_stack_has_one() -> None:
    w = world()
    w.probe.statuses["/orders"] = 201
    w.secrets.values[SECRET] = "s3cret"
    ctx = replace(w.ctx, env=w.ctx.env.model_copy(update={"test_token_secret_arn": SECRET}))
    smoke_tests.run_smoke_tests(with_smoke_tests(w), ctx)
    assert {headers[smoke_tests.TOKEN_HEADER] for _, _, headers, _ in w.probe.requests} == {"s3cret"}


def test_the_first_failing_test_fails_the_step_and_names_the_side() -> None:
    w = world()
    w.probe.statuses["/orders"] = 500
    with pytest.raises(
        SmokeTestFailed, match=r"^POST /orders: status 500, expected 201 \(through the test route to green\)$"
    ):
        smoke_tests.run_smoke_tests(with_smoke_tests(w), w.ctx)


def test_a_side_that_does_not_answer_fails_the_step_with_the_network_error() -> None:
    w = world()
    w.probe.error = ConnectionRefusedError(111, "Connection refused")
    with pytest.raises(
        SmokeTestFailed, match=r"GET /health: no response from http://test-route \(.*Connection refused\)"
    ):
        smoke_tests.run_smoke_tests(with_smoke_tests(w), w.ctx)
    assert len(w.probe.requests) == 1


def test_a_deployment_that_lost_its_lock_sends_no_test() -> None:
    w = world()
    state = with_smoke_tests(w)
    w.table.lock = None
    with pytest.raises(Aborted, match="no longer holds the deployment lock"):
        smoke_tests.run_smoke_tests(state, w.ctx)
    assert w.probe.requests == []
