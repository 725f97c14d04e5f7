"""The router on AWS's timing: listener changes reach its nodes late, and it routes by target health.

The propagation and health tests run on a clock the test advances (AWS seconds), so they do not
depend on sleeps; the router's own threads only read the listener. The control check at the end
runs on the real compressed clock under load: it is what makes a load suite able to fail."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import boto3
import pytest

from cutover.local import aws_timing, ecs_emulation, listener_changes, time_compression
from cutover.local.aws_timing import AwsTiming
from cutover.local.load_generator import LoadGenerator
from cutover.local.router import ListenerRouter
from cutover.local.task_lifecycle import RoutableTarget
from tests.local.manual_clock import ManualClock
from tests.local.test_router import REGION, Aws, Stack, Upstream, aws, send, stack, upstreams

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

__all__ = ["aws", "stack", "upstreams"]  # fixtures shared with test_router

TIMING = AwsTiming(listener_propagation_seconds=30, propagation_nodes=3)


def elbv2_client() -> ElasticLoadBalancingv2Client:
    return boto3.client("elbv2", region_name=REGION)


def bounded_wait(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Wait for a state (not for time): the router's thread reading the listener, a server closing."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.01)


def default_weights(router: ListenerRouter, node: int | None = None) -> dict[str, int]:
    config = router.config if node is None else router.node_configs()[node]
    action = config.rules[-1].action
    return dict(action.target_groups)  # type: ignore[union-attr]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    manual = ManualClock()
    monkeypatch.setattr(aws_timing, "clock", manual)
    listener_changes.install()
    return manual


@dataclass
class Targets:
    """What the target groups' registered targets are, as the ECS emulation would report them."""

    by_group: dict[str, list[RoutableTarget]] = field(default_factory=dict)

    def __call__(self, target_group: str) -> list[RoutableTarget] | None:
        return self.by_group.get(target_group)


def timed_router(stack: Stack, upstreams: dict[str, Upstream], targets: Targets | None = None) -> ListenerRouter:
    mapping = {stack.blue: [upstreams["blue"].url], stack.green: [upstreams["green"].url]}
    return ListenerRouter(stack.listener, mapping, elbv2_client, refresh_seconds=5.0, timing=TIMING, targets=targets)


# -- propagation -----------------------------------------------------------------------------------------
def test_a_listener_change_reaches_each_node_at_its_own_moment_within_the_window(
    clock: ManualClock, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    with timed_router(stack, upstreams) as router:
        stack.weights(0, 100)
        # The change wakes the router (its own refresh interval is 5 s): it reads it at once.
        bounded_wait(lambda: default_weights(router)[stack.green] == 100, "the router read the change")

        seen = []
        for _ in range(4):
            seen.append(Counter(send(router).upstream for _ in range(6)))
            clock.advance(10)

    # Nodes at 10, 20, 30 s: of 6 requests in turn, 2 more reach green every 10 s.
    assert seen == [{"blue": 6}, {"blue": 4, "green": 2}, {"blue": 2, "green": 4}, {"green": 6}]


def test_without_aws_timing_a_change_is_routed_by_every_node_from_the_next_read(
    clock: ManualClock, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    mapping = {stack.blue: [upstreams["blue"].url], stack.green: [upstreams["green"].url]}
    with ListenerRouter(stack.listener, mapping, elbv2_client, refresh_seconds=5.0) as router:
        stack.weights(0, 100)
        bounded_wait(lambda: default_weights(router)[stack.green] == 100, "the router read the change")

        assert Counter(send(router).upstream for _ in range(6)) == {"green": 6}


# -- target health ---------------------------------------------------------------------------------------
def test_only_healthy_targets_get_requests(clock: ManualClock, stack: Stack, upstreams: dict[str, Upstream]) -> None:
    targets = Targets()
    targets.by_group[stack.blue] = [
        RoutableTarget("10.1.0.10", upstreams["blue"].url, "healthy"),
        RoutableTarget("10.1.0.11", upstreams["blue-2"].url, "initial"),
        RoutableTarget("10.1.0.12", upstreams["green"].url, "draining"),
    ]
    with timed_router(stack, upstreams, targets) as router:
        assert Counter(send(router).upstream for _ in range(9)) == {"blue": 9}


def test_a_target_group_with_no_registered_targets_answers_503(
    clock: ManualClock, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    targets = Targets({stack.blue: []})
    with timed_router(stack, upstreams, targets) as router:
        reply = send(router)

    assert reply.status == 503
    assert b"no registered targets" in reply.body


def test_targets_still_in_their_initial_health_checks_get_no_requests(
    clock: ManualClock, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    targets = Targets({stack.blue: [RoutableTarget("10.1.0.10", upstreams["blue"].url, "initial")]})
    with timed_router(stack, upstreams, targets) as router:
        assert send(router).status == 503
    assert upstreams["blue"].received == []


def test_a_target_group_whose_targets_are_all_unhealthy_fails_open_to_all_of_them(
    clock: ManualClock, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    targets = Targets()
    targets.by_group[stack.blue] = [
        RoutableTarget("10.1.0.10", upstreams["blue"].url, "unhealthy"),
        RoutableTarget("10.1.0.11", upstreams["blue-2"].url, "unhealthy"),
    ]
    with timed_router(stack, upstreams, targets) as router:
        assert Counter(send(router).upstream for _ in range(6)) == {"blue": 3, "blue-2": 3}
        targets.by_group[stack.blue][1] = RoutableTarget("10.1.0.11", upstreams["blue-2"].url, "healthy")
        assert Counter(send(router).upstream for _ in range(6)) == {"blue-2": 6}


def test_a_draining_target_finishes_its_in_flight_request_and_gets_no_new_one(
    clock: ManualClock, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    slow = Upstream("slow", delay_seconds=0.5)
    targets = Targets({stack.blue: [RoutableTarget("10.1.0.10", slow.url, "healthy")]})
    try:
        with timed_router(stack, upstreams, targets) as router:
            in_flight: list[int] = []
            request = threading.Thread(target=lambda: in_flight.append(send(router).status))
            request.start()
            bounded_wait(lambda: len(slow.received) == 1, "the request reached the target")
            targets.by_group[stack.blue] = [RoutableTarget("10.1.0.10", slow.url, "draining")]

            assert send(router).status == 503
            request.join(5)
    finally:
        slow.close()
    assert in_flight == [200]
    assert len(slow.received) == 1


# -- the control check: a rollback-like sequence under load ----------------------------------------------
SCALE = 0.01  # the demo's compression
LOAD_PER_SECOND = 100
# A long lag (300 s: 3 s of real time here) so that the unsafe sequence's window, in which some
# node still routes to green after green's targets are gone, dwarfs whatever a busy machine adds
# between the ModifyListener and the scale-down: with 30 s (0.3 s) a slow step could outlast the
# window, and the control would then lose nothing (seen once with two suites on 2 cores).
CONTROL_TIMING = AwsTiming(listener_propagation_seconds=300, propagation_nodes=3)


@dataclass
class UpstreamRunner:
    """The container runtime: each task is a small HTTP server, closed on SIGTERM."""

    servers: dict[str, Upstream] = field(default_factory=dict)
    sigterms: list[str] = field(default_factory=list)

    def start_task(self, service: str, task_id: str, image: str) -> str | None:
        self.servers[task_id] = Upstream(task_id)
        return self.servers[task_id].url

    def stop_task(self, service: str, task_id: str) -> None:
        self.sigterms.append(task_id)
        self.servers[task_id].close()

    def close(self) -> None:
        for task_id, server in self.servers.items():
            if task_id not in self.sigterms:
                server.close()


@dataclass
class Sides:
    stack: Stack
    router: ListenerRouter
    runner: UpstreamRunner

    def scale_green_to_zero(self) -> None:
        boto3.client("ecs", region_name=REGION).update_service(cluster="control", service="green", desiredCount=0)


@pytest.fixture
def sides(monkeypatch: pytest.MonkeyPatch, aws: Aws, stack: Stack) -> Iterator[Sides]:
    """Blue and green services with one healthy task each, green live (100 %), on AWS's timing."""
    monkeypatch.setattr(time_compression.recorder, "scale", SCALE)
    monkeypatch.setattr(aws_timing._switch, "timing", CONTROL_TIMING)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    listener_changes.install()
    ecs_emulation.install()
    ecs = boto3.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="control")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "app", "image": "app", "memory": 512}])
    ecs_emulation.reset()
    for side, group in (("blue", stack.blue), ("green", stack.green)):
        ecs.create_service(cluster="control", serviceName=side, taskDefinition="app:1", desiredCount=1)
        ecs_emulation.bind(side, group)
    account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
    ecs_emulation.sync(account, REGION, "control")
    runner = UpstreamRunner()
    ecs_emulation.run_tasks_with(runner)
    stack.weights(0, 100)
    router = ListenerRouter(
        stack.listener, {}, elbv2_client, timing=CONTROL_TIMING, targets=ecs_emulation.routable_targets
    )
    router.start()
    try:
        yield Sides(stack, router, runner)
    finally:
        router.stop()
        ecs_emulation.reset()
        runner.close()


def rollback_under_load(sides: Sides, *, wait_for_propagation: bool) -> int:
    """ModifyListener back to blue, then scale green to 0 (at once, or after every node has the
    change); return the failed requests of a steady load through the router."""
    with LoadGenerator(sides.router.url, rate_per_second=LOAD_PER_SECOND, timeout_seconds=5.0) as load:
        bounded_wait(lambda: load.snapshot().total >= 20, "the load is flowing")
        sides.stack.weights(100, 0)
        if wait_for_propagation:
            bounded_wait(
                lambda: all(default_weights(sides.router, n)[sides.stack.blue] == 100 for n in range(3)),
                "every node routes by the rollback's weights",
                timeout=30,
            )
        sides.scale_green_to_zero()
        bounded_wait(lambda: len(sides.runner.sigterms) == 1, "green's task got SIGTERM", timeout=10)
        mark = load.snapshot()
        bounded_wait(lambda: load.snapshot().total >= mark.total + 20, "the load went on after the stop")
        snapshot = load.stop()
    assert snapshot.total > 50
    return snapshot.failures


def test_control_scaling_the_new_side_down_right_after_the_rollback_loses_requests(sides: Sides) -> None:
    assert rollback_under_load(sides, wait_for_propagation=False) > 0


def test_control_scaling_it_down_after_the_propagation_delay_loses_none(sides: Sides) -> None:
    assert rollback_under_load(sides, wait_for_propagation=True) == 0
