"""The router in its own process: it routes as the in-process router does, follows the listener
and the targets the parent reads, reports its answers for the ALB's metrics, and ends with stop().

moto runs in this (the parent) process, as in the demo: the child never calls local AWS, it is sent
the routing table (router_process.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import boto3
import pytest

from cutover.local import aws_timing
from cutover.local.router_process import RouterProcess
from cutover.local.task_lifecycle import RoutableTarget
from tests.local.test_router import REGION, TOKEN, Stack, Upstream, aws, send, stack, upstreams, wait_until_routed_to
from tests.local.test_router_timing import bounded_wait

__all__ = ["aws", "stack", "upstreams"]  # fixtures shared with test_router


@dataclass
class Recorded:
    """What AlbMetrics would be told: each answer, with the AWS second it was given at."""

    answers: list[tuple[str, int, float]] = field(default_factory=list)

    def record(self, target_group_arn: str, status: int, response_seconds: float, *, at: float | None = None) -> None:
        assert at is not None, "a router process reports when each answer was given"
        self.answers.append((target_group_arn, status, at))


@pytest.fixture
def started(stack: Stack, upstreams: dict[str, Upstream]) -> Iterator[tuple[RouterProcess, Recorded]]:
    recorded = Recorded()
    router = RouterProcess(
        stack.listener,
        lambda: boto3.client("elbv2", region_name=REGION),
        upstreams={stack.blue: [upstreams["blue"].url], stack.green: [upstreams["green"].url]},
        alb_metrics=recorded,
    ).start()
    yield router, recorded
    router.stop()


def test_it_routes_by_the_listener_and_follows_a_weight_change(
    started: tuple[RouterProcess, Recorded], stack: Stack
) -> None:
    router, _ = started
    assert {send(router).upstream for _ in range(5)} == {"blue"}
    stack.weights(0, 100)
    wait_until_routed_to(router, "green")
    assert {send(router).upstream for _ in range(5)} == {"green"}


def test_the_test_route_and_an_unroutable_group_answer_as_in_process(
    started: tuple[RouterProcess, Recorded], stack: Stack
) -> None:
    router, _ = started
    assert send(router, {"X-Canary-Version": "green", "X-Cutover-Test-Token": TOKEN}).upstream == "green"
    router.set_upstreams(stack.blue, [])  # no registered target: the ALB's 503
    bounded_wait(lambda: send(router).status == 503, "the emptied target group reached the router process")


def test_targets_come_from_the_parents_target_source(stack: Stack, upstreams: dict[str, Upstream]) -> None:
    states = {"blue": "healthy"}

    def targets(arn: str) -> list[RoutableTarget] | None:
        if arn != stack.blue:
            return None
        return [RoutableTarget("10.1.0.10", upstreams["blue"].url, states["blue"])]

    with RouterProcess(stack.listener, lambda: boto3.client("elbv2", region_name=REGION), targets=targets) as router:
        assert send(router).upstream == "blue"
        states["blue"] = "draining"  # deregistered: no new requests, and nothing else is registered
        bounded_wait(lambda: send(router).status == 503, "the draining target left the routing table")


def test_answers_are_reported_with_the_moment_they_were_given(started: tuple[RouterProcess, Recorded]) -> None:
    router, recorded = started
    before = aws_timing.clock.now()
    for _ in range(3):
        assert send(router).status == 200
    after = aws_timing.clock.now()
    bounded_wait(lambda: len(recorded.answers) == 3, "three answers reported")
    assert all(before <= at <= after + 1e-6 for _, _, at in recorded.answers), (before, recorded.answers, after)
    assert router.stats().by_status == {200: 3}


def test_stop_ends_the_child_process(stack: Stack) -> None:
    router = RouterProcess(stack.listener, lambda: boto3.client("elbv2", region_name=REGION)).start()
    process = router._process
    assert process is not None and process.pid is not None
    router.stop()
    assert not process.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)
