"""A seeded, reproducible fault injector for the workflow harness.

What it fakes is what AWS does under stress, at the place AWS does it:
- API faults at the HTTP level of the shifter's own boto3 clients (a `before-send` hook):
  `throttle` answers 400 Throttling as the service would; `drop` fails the connection as
  a 5xx-ing or timing-out endpoint would. botocore's own retries then really run; their
  sleeps are recorded, not spent.
- Lambda faults in the in-process runtime: `crash` fails a chosen step with the error AWS
  reports for a timed-out Lambda (`Sandbox.Timedout`), before the handler runs.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import botocore.endpoint
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import ConnectionClosedError

from cutover.local.lambda_runtime import InProcessLambda
from cutover.shifter.contract import StepName

# The operations the shifter calls, by the protocol the fault must answer in.
INJECTABLE = {
    "ModifyListener": "query",
    "DescribeListeners": "query",
    "DescribeTargetHealth": "query",
    "UpdateService": "json",
    "DescribeServices": "json",
    "RegisterTaskDefinition": "json",
    "PutParameter": "json",
    "GetParameters": "json",
    "PutItem": "json",
    "UpdateItem": "json",
    "GetItem": "json",
    "SendTaskSuccess": "json",
    "SendTaskFailure": "json",
}
STEPS = (
    StepName.READ_LIVE_STATE,
    StepName.PREPARE_IDLE_SIDE,
    StepName.CHECK_STABLE,
    StepName.RUN_SMOKE_TESTS,
    StepName.SHIFT_WEIGHTS,
    StepName.CHECK_BAKE,
    StepName.BEGIN_FINAL_WAIT,
    StepName.SCALE_DOWN_OLD_SIDE,
    StepName.FINISH,
    StepName.ROLLBACK,
    StepName.FINISH_ROLLBACK,
)


@dataclass(frozen=True)
class Fault:
    kind: str  # throttle, drop (API) or crash (Lambda step)
    target: str  # an operation name, or a workflow step
    times: int  # how many consecutive calls fail
    after: int = 0  # calls let through first (e.g. crash the second shift: the middle of shifting)


@dataclass
class FaultLog:
    injected: Counter[str] = field(default_factory=Counter)
    sdk_retry_sleeps: list[float] = field(default_factory=list)


class _Body:
    def __init__(self, payload: bytes) -> None:
        self._payload = payload

    def stream(self, **_: Any) -> Any:
        yield self._payload


def _throttling(protocol: str, url: str) -> AWSResponse:
    if protocol == "query":
        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
            b"</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        )
        headers = {"Content-Type": "text/xml"}
    else:
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.1"}
    return AWSResponse(url, 400, HTTPHeaders.from_dict(headers), _Body(body))


class FaultInjector:
    """Install once per process; arm a plan per run."""

    def __init__(self) -> None:
        self.log = FaultLog()
        self._remaining: Counter[tuple[str, str]] = Counter()
        self._skip: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def arm(self, faults: list[Fault]) -> None:
        with self._lock:
            self._remaining = Counter({(f.kind, f.target): f.times for f in faults})
            self._skip = Counter({(f.kind, f.target): f.after for f in faults})

    def disarm(self) -> None:
        self.arm([])

    def _take(self, kind: str, target: str) -> bool:
        with self._lock:
            if self._remaining[(kind, target)] > 0 and self._skip[(kind, target)] > 0:
                self._skip[(kind, target)] -= 1
                return False
            if self._remaining[(kind, target)] > 0:
                self._remaining[(kind, target)] -= 1
                self.log.injected[f"{kind}:{target}"] += 1
                return True
        return False

    # ------------------------------------------------------------------ install
    def install(self, runtime: InProcessLambda) -> None:
        from cutover.shifter.adapters import aws_clients

        def with_faults(client: Any) -> None:
            client.meta.events.register_first("before-send", self._before_send)

        # Through the supported hook (as the bench counts calls); clients made before it would
        # not see the faults, so they are made again.
        aws_clients.client_hooks.append(with_faults)
        aws_clients.reset()
        injector = self
        # botocore sleeps between its own retries: record instead of spending the time.
        botocore.endpoint.time = _RecordingTime(self.log)  # type: ignore[attr-defined]
        original_run = runtime.run

        def run(function: Any, body: Any, response_headers: dict[str, str]) -> bytes:
            event = json.loads(body) if body else {}
            step = event.get("step") if isinstance(event, dict) else None
            if step and injector._take("crash", step):
                response_headers["x-amz-function-error"] = "Unhandled"
                return json.dumps(
                    {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out (injected)"}
                ).encode()
            return original_run(function, body, response_headers)

        runtime.run = run  # type: ignore[method-assign]

    def _before_send(self, request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        protocol = INJECTABLE.get(operation)
        if protocol is None:
            return None
        if self._take("throttle", operation):
            return _throttling(protocol, request.url)
        if self._take("drop", operation):
            raise ConnectionClosedError(endpoint_url=request.url)
        return None


class _RecordingTime:
    def __init__(self, log: FaultLog) -> None:
        self._log = log

    def sleep(self, seconds: float) -> None:
        self._log.sdk_retry_sleeps.append(seconds)

    def __getattr__(self, name: str) -> Any:
        import time

        return getattr(time, name)


def random_faults(rng: random.Random) -> list[Fault]:
    """Zero to three faults: API bursts shorter or longer than the SDK's retries, or a crash."""
    faults: list[Fault] = []
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        kind = rng.choice(("throttle", "drop", "crash"))
        if kind == "crash":
            faults.append(Fault("crash", rng.choice(STEPS), 1, after=rng.choice((0, 0, 1))))
        else:
            # 1-3 fails are absorbed by botocore; 9+ outlive it and reach the state machine's Retry.
            faults.append(Fault(kind, rng.choice(sorted(INJECTABLE)), rng.choice((1, 2, 3, 9))))
    return faults
