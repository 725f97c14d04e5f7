"""The router routes real HTTP requests as the listener on local AWS (moto) is configured."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import boto3
import pytest
from moto import mock_aws

from cutover.local.router import TARGET_GROUP_HEADER, ListenerRouter
from cutover.shifter.contract import SIDES
from tests.local.http_target import HttpTarget, QuietHandler

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_elbv2.type_defs import RuleConditionTypeDef

REGION = "eu-west-1"
TOKEN = "s3cret-token"
REFRESH = 0.1


# -- upstreams ----------------------------------------------------------------------------------------
@dataclass
class Upstream(HttpTarget):
    """A tiny HTTP server answering its name in `X-Upstream` and echoing what it received as JSON."""

    name: str
    delay_seconds: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        upstream = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                seen = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
                upstream.received.append(seen)
                time.sleep(upstream.delay_seconds)
                payload = json.dumps(seen).encode()
                self.send_response(200)
                self.send_header("X-Upstream", upstream.name)
                self.send_header("Keep-Alive", "timeout=5")  # hop-by-hop: the router must not pass it on
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

        self.serve(Handler)


# -- local AWS ------------------------------------------------------------------------------------------
@dataclass
class Stack:
    elbv2: ElasticLoadBalancingv2Client
    listener: str
    blue: str
    green: str
    vpc: str

    def weights(self, blue: int, green: int) -> None:
        self.elbv2.modify_listener(
            ListenerArn=self.listener,
            DefaultActions=[
                {
                    "Type": "forward",
                    "ForwardConfig": {
                        "TargetGroups": [
                            {"TargetGroupArn": self.blue, "Weight": blue},
                            {"TargetGroupArn": self.green, "Weight": green},
                        ],
                        "TargetGroupStickinessConfig": {"Enabled": False},
                    },
                }
            ],
        )

    def add_rule(self, priority: int, conditions: list[RuleConditionTypeDef], target_group: str) -> str:
        created = self.elbv2.create_rule(
            ListenerArn=self.listener,
            Priority=priority,
            Conditions=conditions,
            Actions=[{"Type": "forward", "TargetGroupArn": target_group}],
        )
        return created["Rules"][0]["RuleArn"]


def header(name: str, *values: str) -> RuleConditionTypeDef:
    return {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": name, "Values": list(values)}}


def source_ip(*cidrs: str) -> RuleConditionTypeDef:
    return {"Field": "source-ip", "SourceIpConfig": {"Values": list(cidrs)}}


@dataclass
class Aws:
    elbv2: ElasticLoadBalancingv2Client
    vpc: str
    alb: str
    blue: str
    green: str
    ports: Iterator[int]


@pytest.fixture(scope="module")
def aws() -> Iterator[Aws]:
    """VPC, two subnets, an ALB, blue and green target groups: once per module (moto's VPCs are slow)."""
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
                "SubnetId"
            ]
            for i, zone in enumerate("ab")
        ]
        elbv2 = boto3.client("elbv2", region_name=REGION)
        alb = elbv2.create_load_balancer(Name="cutover", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
        blue, green = (
            elbv2.create_target_group(Name=name, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")[
                "TargetGroups"
            ][0]["TargetGroupArn"]
            for name in SIDES
        )
        yield Aws(elbv2, vpc, alb, blue, green, iter(range(8000, 9000)))


@pytest.fixture
def stack(aws: Aws) -> Stack:
    """A new listener weighted 100/0 with the two test-route rules of the real stack (canary header + token)."""
    listener = aws.elbv2.create_listener(
        LoadBalancerArn=aws.alb,
        Protocol="HTTP",
        Port=next(aws.ports),
        DefaultActions=[{"Type": "forward", "TargetGroupArn": aws.blue}],
    )["Listeners"][0]["ListenerArn"]
    built = Stack(aws.elbv2, listener, aws.blue, aws.green, aws.vpc)
    built.weights(100, 0)
    for priority, (side, arn) in enumerate((("blue", aws.blue), ("green", aws.green)), start=1):
        built.add_rule(priority, [header("X-Canary-Version", side), header("X-Cutover-Test-Token", TOKEN)], arn)
    return built


@pytest.fixture
def upstreams() -> Iterator[dict[str, Upstream]]:
    servers = {name: Upstream(name) for name in ("blue", "green", "blue-2")}
    yield servers
    for server in servers.values():
        server.close()


@pytest.fixture
def router(stack: Stack, upstreams: dict[str, Upstream]) -> Iterator[ListenerRouter]:
    mapping = {stack.blue: [upstreams["blue"].url], stack.green: [upstreams["green"].url]}
    started = ListenerRouter(
        stack.listener, mapping, lambda: boto3.client("elbv2", region_name=REGION), refresh_seconds=REFRESH
    ).start()
    yield started
    started.stop()


# -- requests -------------------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def upstream(self) -> str | None:
        return self.headers.get("x-upstream")


class Served(Protocol):
    """A router that serves: ListenerRouter, or router_process.RouterProcess."""

    @property
    def url(self) -> str: ...


def send(router: Served, headers: dict[str, str] | None = None, method: str = "GET", path: str = "/",
         body: bytes | None = None) -> Reply:  # fmt: skip
    port = int(router.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def upstreams_of(router: Served, count: int, headers: dict[str, str] | None = None) -> Counter[str | None]:
    return Counter(send(router, headers).upstream for _ in range(count))


def wait_until_routed_to(router: Served, name: str, timeout: float = 3.0) -> float:
    """Seconds until a request reaches `name`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if send(router).upstream == name:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"no request reached {name} within {timeout} s")


# -- tests ----------------------------------------------------------------------------------------------
def test_weights_100_0_send_everything_to_blue(router: ListenerRouter, stack: Stack) -> None:
    replies = [send(router) for _ in range(30)]
    assert {reply.upstream for reply in replies} == {"blue"}
    assert {reply.headers[TARGET_GROUP_HEADER.lower()] for reply in replies} == {stack.blue}
    assert router.stats().by_target_group == {stack.blue: 30}
    assert router.stats().by_rule == {"default": 30}


def test_weights_written_by_modify_listener_take_effect_after_a_refresh(router: ListenerRouter, stack: Stack) -> None:
    assert upstreams_of(router, 10) == {"blue": 10}
    stack.weights(0, 100)
    assert wait_until_routed_to(router, "green") < REFRESH + 1.0
    assert upstreams_of(router, 30) == {"green": 30}
    assert router.stats().refreshes >= 2


def test_equal_weights_send_traffic_to_both(router: ListenerRouter, stack: Stack) -> None:
    stack.weights(50, 50)
    router.refresh()
    counts = upstreams_of(router, 200)
    # Binomial(200, 0.5): below 40 on one side has a probability around 1e-18.
    assert counts["blue"] >= 40 and counts["green"] >= 40 and counts["blue"] + counts["green"] == 200


def test_weights_are_proportional(router: ListenerRouter, stack: Stack) -> None:
    stack.weights(90, 10)
    router.refresh()
    counts = upstreams_of(router, 300)
    # Binomial(300, 0.1) has mean 30 and standard deviation 5.2: [5, 75] is beyond 4.8 sigmas.
    assert 5 <= counts["green"] <= 75, counts


def test_test_route_with_the_token_reaches_its_side_whatever_the_weights(router: ListenerRouter, stack: Stack) -> None:
    # Header names are case-insensitive, and so are the values, as on ALB.
    green = {"x-canary-version": "GREEN", "X-Cutover-Test-Token": TOKEN}
    assert upstreams_of(router, 10, green) == {"green": 10}
    stack.weights(0, 100)
    router.refresh()
    assert upstreams_of(router, 10, {"X-Canary-Version": "blue", "X-Cutover-Test-Token": TOKEN}) == {"blue": 10}
    assert router.stats().by_rule == {"2": 10, "1": 10}


def test_test_route_without_the_right_token_goes_to_the_default_action(router: ListenerRouter) -> None:
    assert upstreams_of(router, 10, {"X-Canary-Version": "green"}) == {"blue": 10}
    assert upstreams_of(router, 10, {"X-Canary-Version": "green", "X-Cutover-Test-Token": "wrong"}) == {"blue": 10}
    assert router.stats().by_rule == {"default": 20}


def test_source_ip_condition_matches_only_clients_in_its_cidrs(router: ListenerRouter, stack: Stack) -> None:
    rule = stack.add_rule(10, [header("X-Probe", "yes"), source_ip("10.0.0.0/8", "192.168.0.0/16")], stack.green)
    router.refresh()
    assert upstreams_of(router, 5, {"X-Probe": "yes"}) == {"blue": 5}  # 127.0.0.1 is in neither CIDR
    stack.elbv2.modify_rule(RuleArn=rule, Conditions=[header("X-Probe", "yes"), source_ip("127.0.0.0/8")])
    router.refresh()
    assert upstreams_of(router, 5, {"X-Probe": "yes"}) == {"green": 5}


def test_rules_apply_in_priority_order_with_wildcards(router: ListenerRouter, stack: Stack) -> None:
    stack.add_rule(20, [header("X-Pick", "any*")], stack.blue)
    stack.add_rule(15, [header("X-Pick", "any?hing")], stack.green)  # created later, lower number: first
    stack.weights(0, 100)
    router.refresh()
    assert send(router, {"X-Pick": "ANYTHING"}).upstream == "green"  # both match: priority 15 wins
    assert send(router, {"X-Pick": "anyway"}).upstream == "blue"  # only priority 20 matches
    assert send(router, {"X-Pick": "nothing"}).upstream == "green"  # neither: the default, 0/100


def test_round_robin_over_a_target_groups_upstreams(
    router: ListenerRouter, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    router.set_upstreams(stack.blue, [upstreams["blue"].url, upstreams["blue-2"].url])
    assert [send(router).upstream for _ in range(6)] == ["blue", "blue-2"] * 3


def test_the_request_and_the_answer_are_proxied_without_hop_by_hop_headers(
    router: ListenerRouter, upstreams: dict[str, Upstream]
) -> None:
    headers = {"X-Custom": "kept", "Keep-Alive": "timeout=9", "Content-Type": "application/json"}
    reply = send(router, headers, method="POST", path="/mcp?x=1&y=2", body=b'{"hello": "world"}')
    assert reply.status == 200
    seen = upstreams["blue"].received[-1]
    assert (seen["method"], seen["path"], seen["body"]) == ("POST", "/mcp?x=1&y=2", '{"hello": "world"}')
    assert seen["headers"]["X-Custom"] == "kept" and "Keep-Alive" not in seen["headers"]
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1" and seen["headers"]["X-Forwarded-Proto"] == "http"
    assert seen["headers"]["Host"] == router.url.removeprefix("http://")  # the client's Host, as the ALB keeps it
    assert json.loads(reply.body) == seen
    assert reply.headers["content-type"] == "application/json" and "keep-alive" not in reply.headers


def test_an_upstream_that_is_down_is_a_502(
    router: ListenerRouter, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    upstreams["blue-2"].close()  # its port now refuses connections
    router.set_upstreams(stack.blue, [upstreams["blue-2"].url])
    reply = send(router)
    assert reply.status == 502 and reply.headers[TARGET_GROUP_HEADER.lower()] == stack.blue
    assert b"ConnectionRefusedError" in reply.body


def test_all_weights_zero_is_a_503(router: ListenerRouter, stack: Stack) -> None:
    stack.weights(0, 0)
    router.refresh()
    assert {send(router).status for _ in range(5)} == {503}
    assert router.stats().by_target_group == {}


def test_a_target_group_without_upstreams_is_a_502(router: ListenerRouter, stack: Stack) -> None:
    third = stack.elbv2.create_target_group(Name="third", Protocol="HTTP", Port=80, VpcId=stack.vpc)
    arn = third["TargetGroups"][0]["TargetGroupArn"]
    stack.add_rule(30, [header("X-Third", "1")], arn)
    router.refresh()
    reply = send(router, {"X-Third": "1"})
    assert reply.status == 502 and reply.headers[TARGET_GROUP_HEADER.lower()] == arn


def test_a_slow_upstream_does_not_hold_up_other_requests(
    router: ListenerRouter, stack: Stack, upstreams: dict[str, Upstream]
) -> None:
    upstreams["blue"].delay_seconds = 1.0
    started = time.monotonic()
    slow = [threading.Thread(target=send, args=(router,)) for _ in range(3)]
    for thread in slow:
        thread.start()
    time.sleep(0.1)
    fast = send(router, {"X-Canary-Version": "green", "X-Cutover-Test-Token": TOKEN})
    assert fast.upstream == "green" and time.monotonic() - started < 0.8
    for thread in slow:
        thread.join(5)
    assert time.monotonic() - started < 1.8  # the three slow requests ran side by side, not one after another


def test_a_failed_refresh_keeps_the_last_configuration(router: ListenerRouter, stack: Stack) -> None:
    stack.elbv2.delete_listener(ListenerArn=stack.listener)
    deadline = time.monotonic() + 3
    while router.stats().refresh_failures == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    stats = router.stats()
    assert stats.refresh_failures >= 1 and stats.last_refresh_error is not None
    assert send(router).upstream == "blue"


def test_a_burst_of_new_connections_is_queued_not_refused() -> None:
    """The load generator opens a connection per request; while the router's threads are busy
    (a Lambda runs in-process), the kernel must queue new ones as an ALB would accept them.
    socketserver's default backlog (5) made them hang and be reset: failed requests."""
    from cutover.local.router import _ProxyHandler, _RouterServer

    server = _RouterServer(("127.0.0.1", 0), _ProxyHandler)  # not serving: nothing accepts
    clients: list[socket.socket] = []
    try:
        for _ in range(64):
            client = socket.create_connection(server.server_address[:2], timeout=0.5)  # type: ignore[arg-type]
            clients.append(client)
        assert len(clients) == 64
    finally:
        for client in clients:
            client.close()
        server.server_close()
