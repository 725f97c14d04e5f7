"""What the figures share: synthesizing the app as `python app.py` does, a local Cutover
in moto (the synthesized stack, its real state machine, our handlers in-process), and the
instruments the benchmarks add around cutover/local without editing it:

- `real_time_bake_polls`: the bake's poll Wait runs at another time scale than the other waits;
- `InvocationTimer`: wall time of each in-process Lambda invocation (wraps InProcessLambda.run);
- `ApiCalls`: every AWS API call our handlers make (a botocore `before-call` hook on the
  shifter's own clients, through `cutover.shifter.adapters.aws_clients.client_hook`).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from cutover.local.repositories import LOCAL_ECR_REPOSITORIES
from cutover.shifter.contract import Output

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
STACK = "cutover-demo"
REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app"
# Offline, quiet CDK (as the Makefile exports): no version check, no node end-of-life banner.
SYNTH_ENVIRONMENT = {
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "CDK_DISABLE_VERSION_CHECK": "1",
}
SYNTH_TIMEOUT_SECONDS = 600
# The name CDK gives the poll Wait of a shift step's bake (cutover/cdk/traffic_shifter.py, `_bake("Bake", …)`).
BAKE_POLL_WAIT = "Bake: poll wait"
NOISY_LOGGERS = ("moto", "botocore", "aws_lambda_powertools", "cutover-shifter", "werkzeug")


# ---------------------------------------------------------------------------- synth
def cdk_context() -> dict[str, Any]:
    """cdk.json's context: what `cdk synth` passes to app.py."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


@dataclass(frozen=True)
class Synth:
    seconds: float
    outdir: Path

    def templates(self) -> dict[str, dict[str, Any]]:
        return {
            path.name.removesuffix(".template.json"): json.loads(path.read_text())
            for path in sorted(self.outdir.glob("*.template.json"))
        }


def synth_app(overrides: Mapping[str, Any], outdir: Path) -> Synth:
    """`python app.py` in a fresh interpreter, with cdk.json's context plus `overrides`
    (CDK_CONTEXT_JSON, as the CDK CLI passes it), into `outdir`."""
    environment = {
        **os.environ,
        **SYNTH_ENVIRONMENT,
        "CDK_CONTEXT_JSON": json.dumps({**cdk_context(), **overrides}),
        "CDK_OUTDIR": str(outdir),
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=SYNTH_TIMEOUT_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"python app.py failed ({result.returncode}): {(result.stderr or result.stdout)[-2000:]}")
    return Synth(seconds=seconds, outdir=outdir)


@cache
def scratch() -> Path:
    """One temporary directory per process for synthesized output (removed at exit)."""
    directory = tempfile.TemporaryDirectory(prefix="cutover-bench-")
    _keep.append(directory)
    return Path(directory.name)


_keep: list[tempfile.TemporaryDirectory[str]] = []
_assemblies: dict[str, Path] = {}
_assemblies_lock = threading.Lock()


def local_assemblies(*variants: Mapping[str, Any]) -> list[Path]:
    """The local variant (`local=true`) synthesized with each set of overrides, two at a
    time; cached per process."""
    keys = [json.dumps(dict(variant), sort_keys=True) for variant in variants]

    def synthesized(key: str) -> Path:
        with _assemblies_lock:
            known = _assemblies.get(key)
        if known is not None:
            return known
        outdir = Path(tempfile.mkdtemp(prefix="local-", dir=scratch()))
        synth_app({"ecr_repositories": list(LOCAL_ECR_REPOSITORIES), **json.loads(key), "local": True}, outdir)
        with _assemblies_lock:
            _assemblies[key] = outdir
        return outdir

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(synthesized, keys))


# ---------------------------------------------------------------------------- local AWS
@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def _quiet_logs() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# Fake credentials for moto; Powertools quiet (its logs and EMF metrics go to CloudWatch on AWS).
LOCAL_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "POWERTOOLS_LOG_LEVEL": "CRITICAL",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


@contextmanager
def local_environment() -> Iterator[None]:
    """Fake credentials and the region for moto, and quiet logs, while the block runs."""
    with _environment(LOCAL_ENVIRONMENT), _quiet_logs():
        yield


@contextmanager
def local_cutover(assembly: Path, *, time_scale: float) -> Iterator[Any]:
    """The synthesized local stack created in a fresh moto, as the workflow tests do;
    yields a cutover.local.runtime.LocalCutover. Smoke tests reach a stand-in test route."""
    from moto import mock_aws

    from cutover.local import runtime, time_compression
    from cutover.local.gc_pauses import frozen_heap
    from cutover.local.loaded_stack import MOTO_CONFIG
    from cutover.local.test_route_stand_in import TestRouteStandIn

    previous_scale = time_compression.recorder.scale
    with local_environment():
        runtime.install(time_scale=time_scale)
        try:
            with mock_aws(config=MOTO_CONFIG):
                local = runtime.LocalCutover(assembly, STACK, REGION)
                outputs = local.create()
                token = local.client("secretsmanager").get_secret_value(SecretId=outputs[Output.TEST_TOKEN_SECRET_ARN])
                stand_in = TestRouteStandIn(token=token["SecretString"])
                try:
                    local.point_smoke_tests_at(stand_in.url)
                    runtime.lambda_runtime.invocations.clear()
                    with frozen_heap():
                        yield local
                finally:
                    stand_in.close()
        finally:
            time_compression.recorder.scale = previous_scale


@contextmanager
def real_time_bake_polls(scale: float) -> Iterator[None]:
    """The poll Wait of a shift step's bake (BAKE_POLL_WAIT) waits `scale` x its seconds;
    every other Wait keeps the compressed scale of `runtime.install`. Waits are still
    recorded, and still interruptible (a failing Parallel branch cancels them)."""
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function

    from cutover.local import time_compression

    recorder = time_compression.recorder
    previous = wait_function.WaitFunction._wait_interval

    def wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
        recorder.waits.append(wait_seconds)
        state = env.states.context_object.context_object_data.get("State") or {}
        factor = scale if state.get("Name") == BAKE_POLL_WAIT else recorder.scale
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds * factor)

    wait_interval.cutover_compressed = True  # type: ignore[attr-defined]
    setattr(wait_function.WaitFunction, "_wait_interval", wait_interval)  # noqa: B010
    try:
        yield
    finally:
        setattr(wait_function.WaitFunction, "_wait_interval", previous)  # noqa: B010


# ---------------------------------------------------------------------------- instruments
@dataclass(frozen=True)
class TimedInvocation:
    function: str
    step: str | None  # the workflow step, None for the alarm listener
    seconds: float


@dataclass
class InvocationTimer:
    """Wall time of every in-process Lambda invocation: our handler and the moto API calls
    it makes (in-process, so no network), plus JSON (de)serialization of the event."""

    calls: list[TimedInvocation] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def installed(self) -> Iterator[InvocationTimer]:
        from cutover.local import runtime

        target = runtime.lambda_runtime
        original: Callable[[Any, Any, dict[str, str]], bytes] = target.run

        def timed(function: Any, body: Any, response_headers: dict[str, str]) -> bytes:
            started = time.perf_counter()
            try:
                return original(function, body, response_headers)
            finally:
                seconds = time.perf_counter() - started
                with self._lock:
                    self.calls.append(TimedInvocation(str(function.function_name), _step_of(body), seconds))

        setattr(target, "run", timed)  # noqa: B010
        try:
            yield self
        finally:
            delattr(target, "run")

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()


def _step_of(body: Any) -> str | None:
    try:
        event = json.loads(body) if body else {}
    except (TypeError, ValueError):
        return None
    step = event.get("step") if isinstance(event, dict) else None
    return str(step) if step is not None else None


@dataclass
class ApiCalls:
    """AWS API calls made by our handlers, `service.Operation` → count (one per call, not per
    retry attempt; a paginator counts one per page)."""

    counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def installed(self) -> Iterator[ApiCalls]:
        from cutover.shifter.adapters import aws_clients

        def count_calls(client: Any) -> None:
            client.meta.events.register("before-call", self._count)

        with aws_clients.client_hook(count_calls):
            yield self

    def _count(self, model: Any, **_kwargs: Any) -> None:
        with self._lock:
            self.counts[f"{model.service_model.service_name}.{model.name}"] += 1

    def snapshot_and_clear(self) -> Counter[str]:
        with self._lock:
            taken = Counter(self.counts)
            self.counts.clear()
        return taken


def history_events(local: Any, arn: str) -> list[dict[str, Any]]:
    """Every event of the execution's history (following nextToken, should moto page)."""
    client = local.client("stepfunctions")
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = client.get_execution_history(executionArn=arn, **({"nextToken": token} if token else {}))
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def state_transitions(events: list[dict[str, Any]]) -> int:
    """What Step Functions Standard bills: one transition per state entered (retries included)."""
    return sum(1 for event in events if str(event["type"]).endswith("StateEntered"))


def wait_until(predicate: Callable[[], bool], *, timeout: float, interval: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


# ---------------------------------------------------------------------------- the machine
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    """The 1-minute load average: other work on the machine inflates every timing."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def machine() -> dict[str, str]:
    return {
        "load": load_average(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count() or "?"),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "moto": _version("moto"),
        "boto3": _version("boto3"),
        "aws-cdk-lib": _version("aws-cdk-lib"),
        "aws-lambda-powertools": _version("aws-lambda-powertools"),
    }
