"""on_step hooks: user Lambdas after each shift, before its bake; a failure rolls back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.local.time_compression import TimeRecorder
from tests.workflow import hook_functions
from tests.workflow.conftest import local_cutover

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
ON_STEP = "arn:aws:lambda:eu-west-1:123456789012:function:cutover-hook-synthetic-order"
# Task timeouts run in real time locally: a short hook timeout keeps the test short.
HOOKS = {"on_step": [ON_STEP], "timeout_seconds": 2}
CANARY = {"image": IMAGE_V2, "strategy": "canary", "canary_weight": 10, "bake_seconds": 60}


@pytest.fixture
def cutover(
    monkeypatch: pytest.MonkeyPatch, recorder: TimeRecorder, test_route: TestRouteStandIn
) -> Iterator[LocalCutover]:
    with local_cutover(monkeypatch, test_route, hooks=HOOKS) as local:
        hook_functions.create_hook_functions(local, (ON_STEP,))
        yield local


def test_an_on_step_hook_sees_each_step_weight_and_both_sides(cutover: LocalCutover) -> None:
    execution = cutover.run(CANARY, "on-step-pass")
    assert execution.status == "SUCCEEDED", execution.cause
    assert [(e["hook"], e["weight"], e["step"]) for e in hook_functions.RECEIVED] == [
        ("on_step", 10, 1),
        ("on_step", 100, 2),
    ]
    first = hook_functions.RECEIVED[0]
    assert (first["new_side"], first["old_side"], first["image"]) == ("green", "blue", IMAGE_V2)
    assert cutover.weights() == {"blue": 0, "green": 100}


@pytest.mark.parametrize(
    ("behaviour", "cause"),
    [
        ("fail", "on_step hook cutover-hook-synthetic-order: schema version 41 expected"),
        ("fail_without_reason", "on_step hook cutover-hook-synthetic-order: answered FAILED without a reason"),
        ("raise", "could not reach the database"),
        ("hang", "States.Timeout"),
    ],
)
def test_an_on_step_hook_failing_at_the_first_step_rolls_back(
    cutover: LocalCutover, behaviour: str, cause: str
) -> None:
    hook_functions.BEHAVIOUR["on_step"] = behaviour
    execution = cutover.run(CANARY, f"on-step-{behaviour.replace('_', '-')}", timeout_seconds=60)
    assert (execution.status, execution.error) == ("FAILED", "DeploymentRolledBack"), execution.cause
    assert cause in (execution.cause or "")
    assert cutover.weights() == {"blue": 100, "green": 0}
    assert [e["weight"] for e in hook_functions.RECEIVED] == [10]  # never reached the 100 % step
    assert cutover.lock() is None
