"""A stand-in for the ALB's data plane on 127.0.0.1, routing by the listener's actual configuration.

moto stores listeners and rules but routes no request. `ListenerRouter` reads the listener from local
AWS (DescribeListeners, DescribeRules) every `refresh_seconds` in a background thread, so the weights
the workflow writes with ModifyListener take effect within that interval, and applies them to real
HTTP requests the way the ALB does:

- the rules in priority order, then the default action; a rule matches when all its conditions do:
  `http-header` (header name case-insensitive; values case-insensitive, with the `*` and `?`
  wildcards) and `source-ip` (the client's address in one of the CIDRs);
- `forward` to one target group, or weighted across several (a random draw proportional to the
  weights; all weights 0 → 503), and `fixed-response`;
- each target group's upstreams (`http://127.0.0.1:port`, its "registered targets") in round robin;
  the request is proxied (method, path and query, headers but the hop-by-hop ones, body, plus
  X-Forwarded-For/-Proto/-Port) and the answer comes back with `X-Cutover-Target-Group: <arn>`.
  Errors are the ALB's: an upstream that cannot be reached, or a target group the router has no
  upstreams for → 502; an upstream that does not answer in time → 504; a target group with an
  empty upstream list (no registered targets) → 503.

With AWS's timing (`timing=aws_timing.current()`; without it, a change routes from the next
read), a listener change is not routed at once: the router reads it as soon as local AWS accepts
it (listener_changes wakes it), and each of `propagation_nodes` nodes applies it at its own moment
within `listener_propagation_seconds` on the run's compressed clock; each request goes to the next
node in turn, so during the window some requests use the old configuration and some the new
("Rule updates do not take effect immediately, so requests could be routed using the previous rule
configuration for a short time", ELB User Guide, edit-rule). `config` is what local AWS says now;
`node_configs()` what each node routes by.

With `targets` (ecs_emulation.routable_targets), a target group's upstreams are its registered
targets, by health, as the ALB routes (ELB User Guide, target-group-health-checks): only to
`healthy` ones; none but `unhealthy` ones → all of them (fail open); `initial` ones get nothing
until they pass their health checks ("starts routing requests to the target as soon as the
registration process completes and the target passes the initial health checks", User Guide,
register targets); `draining` ones finish their in-flight requests but get no new ones
(DeregisterTargets); no routable target → 503 (an ALB's answer for a target group with no
registered targets: AWS Knowledge Center, "Troubleshoot ALB HTTP 503 errors").

The demo, the sandbox and the load suite serve from a child process (router_process.py: the
harness's own process is too busy to answer in time); `RoutingServer` is the routing both use.

Not implemented: stickiness (every request is drawn anew), other condition types (host-header,
path-pattern, http-request-method, query-string: a rule holding one never matches, logged once),
other action types (redirect, authenticate-*: 501), chunked request bodies (411). Without
`targets`, no health-based routing: the router sends to every upstream it is given (`set_upstreams`).
"""

from __future__ import annotations

import http.client
import ipaddress
import itertools
import logging
import math
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar, Protocol
from urllib.parse import urlsplit

from cutover.local import aws_timing, listener_changes
from cutover.local.aws_timing import AwsTiming
from cutover.local.task_lifecycle import HEALTHY, UNHEALTHY, RoutableTarget

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

logger = logging.getLogger(__name__)

TARGET_GROUP_HEADER = "X-Cutover-Target-Group"
DEFAULT_PRIORITY = "default"
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
MAX_RULE_PAGES = 50  # an ALB listener holds at most 100 rules; pages bound the DescribeRules loop
NO_BODY_STATUSES = frozenset({204, 304})

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
TargetSource = Callable[[str], Sequence[RoutableTarget] | None]  # target group ARN → its targets (None: unknown)


# -- the listener's configuration, parsed once per refresh ---------------------------------------------
@dataclass(frozen=True)
class Request:
    """One client request, as read by the HTTP handler."""

    method: str
    target: str  # path and query
    headers: tuple[tuple[str, str], ...]
    body: bytes
    client_ip: str

    @cached_property
    def header_values(self) -> dict[str, tuple[str, ...]]:
        """Values by lower-case header name: what `http-header` conditions look at."""
        values: dict[str, tuple[str, ...]] = {}
        for name, value in self.headers:
            values[name.lower()] = (*values.get(name.lower(), ()), value)
        return values


@dataclass(frozen=True)
class HeaderCondition:
    name: str  # lower-case
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, request: Request) -> bool:
        values = request.header_values.get(self.name, ())
        return any(pattern.fullmatch(value) for value in values for pattern in self.patterns)


@dataclass(frozen=True)
class SourceIpCondition:
    networks: tuple[IpNetwork, ...]

    def matches(self, request: Request) -> bool:
        try:
            address = ipaddress.ip_address(request.client_ip)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


@dataclass(frozen=True)
class UnsupportedCondition:
    field: str

    def matches(self, request: Request) -> bool:
        return False


Condition = HeaderCondition | SourceIpCondition | UnsupportedCondition


@dataclass(frozen=True)
class Forward:
    target_groups: tuple[tuple[str, int], ...]  # (ARN, weight)


@dataclass(frozen=True)
class FixedResponse:
    status: int
    content_type: str
    body: str


@dataclass(frozen=True)
class UnsupportedAction:
    type: str


Action = Forward | FixedResponse | UnsupportedAction


@dataclass(frozen=True)
class Rule:
    priority: str  # as DescribeRules reports it: "1", "2", ... or "default"
    conditions: tuple[Condition, ...]
    action: Action

    def matches(self, request: Request) -> bool:
        return all(condition.matches(request) for condition in self.conditions)


@dataclass(frozen=True)
class ListenerConfig:
    rules: tuple[Rule, ...]  # in priority order, the default last (it has no conditions)

    def route(self, request: Request) -> Rule:
        for rule in self.rules:
            if rule.matches(request):
                return rule
        return self.rules[-1]


def wildcard_pattern(value: str) -> re.Pattern[str]:
    """An ALB condition value: case-insensitive, `*` any characters, `?` exactly one."""
    expression = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in value)
    return re.compile(expression, re.IGNORECASE | re.DOTALL)


def parse_condition(condition: Mapping[str, Any]) -> Condition:
    kind = str(condition.get("Field", ""))
    if kind == "http-header":
        config = condition.get("HttpHeaderConfig", {})
        values = config.get("Values", [])
        return HeaderCondition(str(config["HttpHeaderName"]).lower(), tuple(wildcard_pattern(v) for v in values))
    if kind == "source-ip":
        cidrs = condition.get("SourceIpConfig", {}).get("Values", [])
        return SourceIpCondition(tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs))
    return UnsupportedCondition(kind)


def parse_actions(actions: Iterable[Mapping[str, Any]]) -> Action:
    """The terminal action (the last by Order; authenticate-* actions come before it)."""
    ordered = sorted(actions, key=lambda action: int(action.get("Order", 0)))
    if not ordered:
        return UnsupportedAction("(none)")
    action = ordered[-1]
    kind = str(action.get("Type", ""))
    if kind == "forward":
        groups = action.get("ForwardConfig", {}).get("TargetGroups", [])
        if groups:  # a weight left out counts as 1: with a single target group it does not matter
            return Forward(tuple((str(g["TargetGroupArn"]), int(g.get("Weight", 1))) for g in groups))
        return Forward(((str(action["TargetGroupArn"]), 1),))
    if kind == "fixed-response":
        config = action.get("FixedResponseConfig", {})
        return FixedResponse(
            int(config.get("StatusCode", 200)),
            str(config.get("ContentType", "text/plain")),
            config.get("MessageBody", ""),
        )
    return UnsupportedAction(kind)


def parse_listener(default_actions: Iterable[Mapping[str, Any]], rules: Iterable[Mapping[str, Any]]) -> ListenerConfig:
    parsed = [
        Rule(
            str(rule["Priority"]),
            tuple(parse_condition(c) for c in rule.get("Conditions", [])),
            parse_actions(rule["Actions"]),
        )
        for rule in rules
        if not rule.get("IsDefault") and rule.get("Priority") != DEFAULT_PRIORITY
    ]
    parsed.sort(key=lambda rule: int(rule.priority))
    parsed.append(Rule(DEFAULT_PRIORITY, (), parse_actions(default_actions)))
    return ListenerConfig(tuple(parsed))


# -- answers ------------------------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    from_target: bool = False  # the target's own answer, not the router's 502/503/504

    @classmethod
    def error(cls, status: int, text: str) -> Answer:
        return cls(status, [("Content-Type", "text/plain; charset=utf-8")], f"{status} {text}\n".encode())


@dataclass(frozen=True)
class RouterStats:
    by_target_group: dict[str, int]  # requests routed to each target group
    by_rule: dict[str, int]  # requests per matching rule priority ("default" for the default action)
    by_status: dict[int, int]  # statuses returned to clients
    refreshes: int
    refresh_failures: int
    last_refresh_error: str | None


def _connection_tokens(headers: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Header names a Connection header declares hop-by-hop, plus the standard ones."""
    named = {
        token.strip().lower() for name, value in headers if name.lower() == "connection" for token in value.split(",")
    }
    return HOP_BY_HOP | frozenset(named)


# -- serving: answers by a node's configuration and a target group's upstreams --------------------------
class MetricsSink(Protocol):
    """Where answers from targets are counted (alb_metrics.AlbMetrics, or a buffer in a router process)."""

    def record(self, target_group_arn: str, status: int, response_seconds: float) -> None: ...


class RoutingServer:
    """An HTTP server on 127.0.0.1 that routes each request by `_node_config()` (the rules of the
    node it reaches) and `_upstreams_of(arn)` (a target group's routable upstreams), as the ALB does."""

    def __init__(self, upstream_timeout_seconds: float = 10.0, alb_metrics: MetricsSink | None = None) -> None:
        self.upstream_timeout_seconds = upstream_timeout_seconds
        self._alb_metrics = alb_metrics
        self._lock = threading.Lock()  # guards the fields below; never held while proxying or calling AWS
        self._cursors: Counter[str] = Counter()
        self._routed: Counter[str] = Counter()
        self._by_rule: Counter[str] = Counter()
        self._by_status: Counter[int] = Counter()
        self._random = random.Random()
        self._server: ThreadingHTTPServer | None = None
        self._server_thread: threading.Thread | None = None

    def _node_config(self) -> ListenerConfig:
        raise NotImplementedError

    def _upstreams_of(self, target_group_arn: str) -> tuple[str, ...] | None:
        """The group's upstreams to route to (None: none known, 502; empty: no registered target, 503)."""
        raise NotImplementedError

    def _start_serving(self) -> None:
        if self._server is not None:
            raise RuntimeError("the router is already started")
        owner = self

        class Handler(_ProxyHandler):
            router: ClassVar[RoutingServer] = owner

        self._server = _RouterServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server_thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="router-server", daemon=True
        )
        self._server_thread.start()

    def _stop_serving(self, timeout_seconds: float) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._server_thread is not None:
            self._server_thread.join(timeout_seconds)
        self._server, self._server_thread = None, None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the router is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def counts(self) -> tuple[dict[str, int], dict[str, int], dict[int, int]]:
        """Requests routed per target group, per matching rule, and statuses returned."""
        with self._lock:
            return dict(self._routed), dict(self._by_rule), dict(self._by_status)

    def answer(self, request: Request) -> Answer:
        """Route one request and answer it (called by the HTTP handler's threads)."""
        rule = self._node_config().route(request)
        action = rule.action
        with self._lock:
            self._by_rule[rule.priority] += 1
        if isinstance(action, FixedResponse):
            answer = Answer(action.status, [("Content-Type", action.content_type)], action.body.encode())
        elif isinstance(action, UnsupportedAction):
            answer = Answer.error(501, f"Not Implemented: the router does not emulate {action.type!r} actions")
        else:
            answer = self._forward(action, request)
        with self._lock:
            self._by_status[answer.status] += 1
        return answer

    def _forward(self, action: Forward, request: Request) -> Answer:
        weighted = [(arn, weight) for arn, weight in action.target_groups if weight > 0]
        if not weighted:
            return Answer.error(503, "Service Unavailable: every target group of the forward has weight 0")
        arns, weights = zip(*weighted, strict=True)
        arn = self._random.choices(arns, weights)[0]
        upstreams = self._upstreams_of(arn)
        with self._lock:
            self._routed[arn] += 1
            upstream = None
            if upstreams:
                upstream = upstreams[self._cursors[arn] % len(upstreams)]
                self._cursors[arn] += 1
        if upstreams is None:
            answer = Answer.error(502, f"Bad Gateway: no upstream is known for target group {arn}")
        elif upstream is None:
            answer = Answer.error(503, f"Service Unavailable: target group {arn} has no registered targets")
        else:
            started = time.monotonic()
            answer = self._proxy(upstream, request)
            if self._alb_metrics is not None and answer.from_target:
                self._alb_metrics.record(arn, answer.status, time.monotonic() - started)
        answer.headers.append((TARGET_GROUP_HEADER, arn))
        return answer

    def _proxy(self, upstream: str, request: Request) -> Answer:
        parts = urlsplit(upstream)
        headers = request.headers
        dropped = _connection_tokens(headers)
        forwarded_for = ", ".join([*(v for n, v in headers if n.lower() == "x-forwarded-for"), request.client_ip])
        outgoing = [(n, v) for n, v in headers if n.lower() not in dropped and not n.lower().startswith("x-forwarded-")]
        outgoing += [("X-Forwarded-For", forwarded_for), ("X-Forwarded-Proto", "http")]
        outgoing.append(("X-Forwarded-Port", str(self._server.server_address[1] if self._server else "")))
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.upstream_timeout_seconds)
        try:
            connection.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
            for name, value in outgoing:
                connection.putheader(name, value)
            connection.endheaders(request.body or None)
            response = connection.getresponse()
            data = response.read()
            reply_headers = response.getheaders()
        except TimeoutError:
            return Answer.error(504, f"Gateway Timeout: {upstream} did not answer in {self.upstream_timeout_seconds} s")
        except (OSError, http.client.HTTPException) as error:
            return Answer.error(502, f"Bad Gateway: {upstream}: {type(error).__name__}: {error}")
        finally:
            connection.close()
        dropped = _connection_tokens(reply_headers) | {"content-length"}
        kept = [(n, v) for n, v in reply_headers if n.lower() not in dropped]
        if request.method == "HEAD":  # no body: keep the length the GET would have had
            kept += [(n, v) for n, v in reply_headers if n.lower() == "content-length"]
        return Answer(response.status, kept, data, from_target=True)


@dataclass(frozen=True)
class RoutingTable:
    """What the data plane routes by at one moment: each node's configuration and each target
    group's routable upstreams (what a router in its own process is sent: router_process.py)."""

    nodes: tuple[ListenerConfig, ...]
    upstreams: Mapping[str, tuple[str, ...] | None]


# -- the router ---------------------------------------------------------------------------------------
class ListenerRouter(RoutingServer):
    """Routes HTTP requests on 127.0.0.1 as the listener `listener_arn` on local AWS says.

    With `serve=False` it reads the listener and tracks the nodes but serves nothing: a router
    process (router_process.py) serves from its `routing_table()`."""

    def __init__(
        self,
        listener_arn: str,
        upstreams: Mapping[str, list[str]],
        elbv2_client_factory: Callable[[], ElasticLoadBalancingv2Client],
        refresh_seconds: float = 0.2,
        upstream_timeout_seconds: float = 10.0,
        *,
        timing: AwsTiming | None = None,
        targets: TargetSource | None = None,
        alb_metrics: MetricsSink | None = None,
        serve: bool = True,
    ) -> None:
        if refresh_seconds <= 0:
            raise ValueError("refresh_seconds must be positive")
        super().__init__(upstream_timeout_seconds, alb_metrics)
        self.listener_arn = listener_arn
        self.timing = timing
        self.node_delays = self.timing.node_delays() if self.timing is not None else (0.0,)
        self._serve = serve
        self._targets = targets
        self._versions: list[tuple[float, ListenerConfig]] = []  # (changed at, AWS seconds), oldest first
        self._nodes = itertools.count()
        self._wake = threading.Event()
        self.refresh_seconds = refresh_seconds
        self._client_factory = elbv2_client_factory
        self._client: ElasticLoadBalancingv2Client | None = None
        self._upstreams: dict[str, tuple[str, ...]] = {}  # guarded by _lock, like the fields below
        self._refreshes = 0
        self._refresh_failures = 0
        self._last_refresh_error: str | None = None
        self._warned: set[str] = set()
        self._config: ListenerConfig | None = None  # replaced whole: readers take the reference
        self._stopping = threading.Event()
        self._refresh_thread: threading.Thread | None = None
        for arn, urls in upstreams.items():
            self.set_upstreams(arn, urls)

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> ListenerRouter:
        """Read the listener (raises if local AWS cannot describe it), then serve and refresh in threads."""
        if self._refresh_thread is not None:
            raise RuntimeError("the router is already started")
        self._client = self._client_factory()
        self.refresh()
        listener_changes.subscribe(self._wake.set)
        self._stopping.clear()
        if self._serve:
            self._start_serving()
        self._refresh_thread = threading.Thread(target=self._refresh_loop, name="router-refresh", daemon=True)
        self._refresh_thread.start()
        return self

    def stop(self, timeout_seconds: float = 5.0) -> None:
        """Stop serving and refreshing (in-flight requests are not waited for)."""
        self._stopping.set()
        self._wake.set()
        listener_changes.unsubscribe(self._wake.set)
        self._stop_serving(timeout_seconds)
        if self._refresh_thread is not None:
            self._refresh_thread.join(timeout_seconds)
        self._refresh_thread = None

    def __enter__(self) -> ListenerRouter:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- configuration ------------------------------------------------------------------------------
    def set_upstreams(self, target_group_arn: str, upstreams: list[str]) -> None:
        """Point a target group at these upstreams (`http://host:port`), e.g. a newly started process."""
        for url in upstreams:
            parts = urlsplit(url)
            if parts.scheme != "http" or not parts.hostname or not parts.port:
                raise ValueError(f"upstream {url!r} is not http://host:port")
        with self._lock:
            self._upstreams[target_group_arn] = tuple(upstreams)

    def refresh(self) -> ListenerConfig:
        """Read the listener and its rules from local AWS now."""
        client = self._client or self._client_factory()
        self._client = client
        listeners = client.describe_listeners(ListenerArns=[self.listener_arn])["Listeners"]
        rules: list[Mapping[str, Any]] = []
        marker: str | None = None
        for _ in range(MAX_RULE_PAGES):
            page = (
                client.describe_rules(ListenerArn=self.listener_arn, Marker=marker)
                if marker
                else client.describe_rules(ListenerArn=self.listener_arn)
            )
            rules.extend(page["Rules"])
            marker = page.get("NextMarker")
            if not marker:
                break
        config = parse_listener(listeners[0]["DefaultActions"], rules)
        self._warn_unsupported(config)
        now = aws_timing.clock.now()
        with self._lock:
            if not self._versions:  # what the listener said before the router started: every node has it
                self._versions = [(-math.inf, config)]
            elif config != self._versions[-1][1]:
                changed = listener_changes.last_change_at()
                self._versions.append((changed if changed is not None and changed <= now else now, config))
                self._forget_propagated(now)
            self._config = config
            self._refreshes += 1
        return config

    def node_configs(self) -> list[ListenerConfig]:
        """What each node routes by now: the newest configuration that has reached it."""
        now = aws_timing.clock.now()
        with self._lock:
            return [self._config_at(now - delay) for delay in self.node_delays]

    def _config_at(self, moment: float) -> ListenerConfig:
        reached = [config for changed, config in self._versions if changed <= moment]
        return reached[-1] if reached else self._versions[0][1]

    def _forget_propagated(self, now: float) -> None:
        """Drop the versions every node has moved past."""
        latest = max(self.node_delays)
        while len(self._versions) > 1 and self._versions[1][0] + latest <= now:
            self._versions.pop(0)

    @property
    def config(self) -> ListenerConfig:
        if self._config is None:
            raise RuntimeError("the listener has not been read yet: start() or refresh() first")
        return self._config

    def stats(self) -> RouterStats:
        routed, by_rule, by_status = self.counts()
        with self._lock:
            return RouterStats(
                routed, by_rule, by_status, self._refreshes, self._refresh_failures, self._last_refresh_error
            )

    def _refresh_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.refresh_seconds)  # a listener change wakes it at once
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.refresh()
            except Exception as error:  # keep routing by the last configuration read, as a stale ALB node would
                with self._lock:
                    self._refresh_failures += 1
                    self._last_refresh_error = f"{type(error).__name__}: {error}"

    def _warn_unsupported(self, config: ListenerConfig) -> None:
        for rule in config.rules:
            unsupported = [c.field for c in rule.conditions if isinstance(c, UnsupportedCondition)]
            if isinstance(rule.action, UnsupportedAction):
                unsupported.append(f"action {rule.action.type}")
            for what in unsupported:
                key = f"{rule.priority}:{what}"
                if key not in self._warned:
                    self._warned.add(key)
                    logger.warning("router: rule %s uses %s, which the stand-in does not emulate", rule.priority, what)

    # -- routing ------------------------------------------------------------------------------------
    def _node_config(self) -> ListenerConfig:
        """The configuration of the node this request reaches (nodes take requests in turn)."""
        if self._config is None:
            raise RuntimeError("the listener has not been read yet: start() or refresh() first")
        delay = self.node_delays[next(self._nodes) % len(self.node_delays)]
        if delay == 0:
            return self._config
        now = aws_timing.clock.now()
        with self._lock:
            return self._config_at(now - delay)

    def _upstreams_of(self, target_group_arn: str) -> tuple[str, ...] | None:
        routable = self._routable(target_group_arn)
        if routable is not None:
            return routable
        with self._lock:
            return self._upstreams.get(target_group_arn)

    def _routable(self, arn: str) -> tuple[str, ...] | None:
        """The upstreams of a target group's routable targets (None: the group has no target source)."""
        targets = self._targets(arn) if self._targets is not None else None
        if targets is None:
            return None
        healthy = [target for target in targets if target.state == HEALTHY]
        # Fail open: a group with only unhealthy registered targets routes to all of them.
        chosen = healthy or [target for target in targets if target.state == UNHEALTHY]
        return tuple(target.url for target in chosen if target.url is not None)

    def routing_table(self) -> RoutingTable:
        """Each node's configuration now, and the upstreams of every target group they forward to."""
        nodes = tuple(self.node_configs())
        arns = {
            arn
            for config in nodes
            for rule in config.rules
            if isinstance(rule.action, Forward)
            for arn, _ in rule.action.target_groups
        }
        return RoutingTable(nodes, {arn: self._upstreams_of(arn) for arn in sorted(arns)})


class _RouterServer(ThreadingHTTPServer):
    # socketserver's listen backlog is 5: under load on a busy machine new connections overflow it
    # and are reset, a failure an ALB (which scales its nodes) does not inflict on clients.
    request_queue_size = 1024


class _ProxyHandler(BaseHTTPRequestHandler):
    router: ClassVar[RoutingServer]
    protocol_version = "HTTP/1.1"  # keep-alive towards clients, as the ALB does
    timeout = 30  # an idle keep-alive connection's thread ends after this

    def _handle(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._send(Answer.error(411, "Length Required: the router does not read chunked request bodies"))
            self.close_connection = True
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._send(Answer.error(400, "Bad Request: invalid Content-Length"))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length > 0 else b""
        started = time.monotonic()
        try:
            request = Request(self.command, self.path, tuple(self.headers.items()), body, self.client_address[0])
            answer = self.router.answer(request)
        except Exception:  # a bug here must still answer, not drop the connection
            logger.exception("router: %s %s failed", self.command, self.path)
            answer = Answer.error(500, "Internal Server Error: the router failed (see its log)")
        logger.debug("%s %s → %d in %.3f s", self.command, self.path, answer.status, time.monotonic() - started)
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        self.send_response_only(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        has_length = any(name.lower() == "content-length" for name, _ in answer.headers)
        if not has_length and answer.status not in NO_BODY_STATUSES and answer.status >= 200:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD" and answer.status not in NO_BODY_STATUSES:
            self.wfile.write(answer.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

    def log_message(self, format: str, *args: Any) -> None:
        return None
