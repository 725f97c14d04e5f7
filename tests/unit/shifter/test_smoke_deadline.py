"""The smoke-test step fits the workflow Lambda's 60 s timeout, however slow the idle side is.

Faked: the network (a target that answers after its socket timeout would have expired, and a
clock that the fake target advances), so the test spends no real time."""

from __future__ import annotations

import pytest

from cutover.cdk.shifter_functions import WORKFLOW_TIMEOUT_SECONDS
from cutover.shifter.logic.errors import SmokeTestFailed
from cutover.shifter.logic.inputs import SmokeTest
from cutover.shifter.logic.smoke import SmokeResponse
from cutover.shifter.steps.smoke_tests import (
    CANARY_HEADER,
    REQUEST_TIMEOUT_SECONDS,
    SMOKE_TESTS_DEADLINE_SECONDS,
    run_within_deadline,
)

TWENTY = [SmokeTest(path=f"/check/{n}", max_latency_ms=60_000) for n in range(20)]


class SlowTarget:
    """Each request takes its whole socket timeout (a target that almost never answers)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timeouts: list[float] = []

    def clock(self) -> float:
        return self.now

    def send(self, url: str, method: str, headers: dict[str, str], body: bytes | None, timeout: float) -> SmokeResponse:
        self.timeouts.append(timeout)
        self.now += timeout
        return SmokeResponse(status=200, latency_ms=timeout * 1000, body=b"ok", content_type="text/plain")

    def run_twenty(self) -> None:
        """The twenty checks through green's header route against this target, within the step's deadline."""
        run_within_deadline(
            TWENTY,
            base_url="http://alb",
            route={CANARY_HEADER: "green"},
            send=self.send,
            clock=self.clock,
            deadline=SMOKE_TESTS_DEADLINE_SECONDS,
        )


def test_smoke_tests_stop_at_their_deadline_below_the_function_timeout() -> None:
    target = SlowTarget()
    with pytest.raises(SmokeTestFailed, match=r"3 of 20 ran within the step's 30 s deadline"):
        target.run_twenty()
    assert target.now <= SMOKE_TESTS_DEADLINE_SECONDS < WORKFLOW_TIMEOUT_SECONDS
    assert target.timeouts == [REQUEST_TIMEOUT_SECONDS] * 3  # the last one is cut to what is left


def test_a_request_never_waits_past_the_deadline() -> None:
    target = SlowTarget()
    target.now = SMOKE_TESTS_DEADLINE_SECONDS - 4
    with pytest.raises(SmokeTestFailed, match="1 of 20"):
        target.run_twenty()
    assert target.timeouts == [4.0]
