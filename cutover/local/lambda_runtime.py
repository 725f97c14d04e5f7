"""Run our Lambda handlers in-process when moto's Lambda is invoked.

moto's Lambda needs Docker to run code. This replaces its invoke with one that imports
the function's real handler, `cutover.shifter.handlers.*` from the imported `cutover`
package (the files the asset is staged from, cutover/cdk/lambda_asset.py), sets the
function's environment, and calls it with a Lambda-like context. An exception becomes
what Lambda returns for an unhandled error (header `x-amz-function-error: Unhandled`,
payload {errorType, errorMessage, stackTrace}), so Step Functions Retry and Catch behave
as on AWS.

On AWS each concurrent invocation has an execution environment of its own. Here every function
shares this process, and Powertools keeps one metric set per process (class attributes shared by
every `Metrics`): the bake's Parallel state invokes the workflow function from both branches, and
a check_bake that met a register_bake_token half-way failed on "Dimension 'Service' has already
been added" (tests/workflow/test_step_and_rollback_hooks.py, a local run on 2026-12-06). So each
thread gets its own metric, dimension and metadata sets, as each environment would. (Making the
invocations take turns instead deadlocked an abort sent while a smoke test was held in flight:
on AWS the abort's invocation runs beside it.)
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda import models as lambda_models
from moto.awslambda_simple import models as lambda_simple_models

# Locally there is no X-Ray daemon; Powertools Tracer is told so, as it would be told on a
# function with tracing off.
LOCAL_ENVIRONMENT = {"POWERTOOLS_TRACE_DISABLED": "true"}


@dataclass
class LambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass
class Invocation:
    function_name: str
    event: Any
    error_type: str | None


class PerThread(MutableMapping[str, Any]):
    """A dict of its own in every thread (each thread is one invocation at a time)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _own(self) -> dict[str, Any]:
        own: dict[str, Any] | None = getattr(self._local, "own", None)
        if own is None:
            own = self._local.own = {}
        return own

    def __getitem__(self, key: str) -> Any:
        return self._own()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._own()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._own()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._own())

    def __len__(self) -> int:
        return len(self._own())


def metric_sets_per_thread() -> None:
    """Idempotent: Powertools' shared sets, and those the shifter's `Metrics` already holds, per thread."""
    from aws_lambda_powertools import Metrics

    from cutover.shifter.observability import metrics

    if isinstance(Metrics._metrics, PerThread):
        return
    Metrics._metrics, Metrics._dimensions, Metrics._metadata = PerThread(), PerThread(), PerThread()  # type: ignore[assignment]
    for holder in (metrics, metrics.provider):
        holder.metric_set, holder.dimension_set, holder.metadata_set = (
            Metrics._metrics,
            Metrics._dimensions,
            Metrics._metadata,
        )


class InProcessLambda:
    """Installed once; records invocations so tests can count and inspect them."""

    def __init__(self) -> None:
        self.invocations: list[Invocation] = []
        self._lock = threading.Lock()
        self._applied_environment: dict[str, str] = {}
        # Entered around each handler call with the function's name: the IAM enforcement
        # signs the handler's AWS calls as that function's role (iam_enforcement).
        self.acting_as: Callable[[str], AbstractContextManager[None]] = lambda _name: nullcontext()

    def install(self) -> None:
        runtime = self

        def invoke(  # noqa: PLR0917 - moto's signature
            self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any
        ) -> bytes:
            function = self.get_function(function_name, qualifier)
            return runtime.run(function, body, response_headers)

        metric_sets_per_thread()
        lambda_models.LambdaBackend.invoke = invoke  # type: ignore[method-assign]
        lambda_simple_models.LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]

    def run(self, function: Any, body: Any, response_headers: dict[str, str]) -> bytes:
        event = json.loads(body) if body else {}
        self._apply_environment(dict(function.environment_vars))
        module_name, attribute = function.handler.rsplit(".", 1)
        context = LambdaContext(function.function_name, function.function_arn)
        try:
            handler = getattr(importlib.import_module(module_name), attribute)
            with self.acting_as(function.function_name):
                payload = json.dumps(handler(event, context))
            error_type = None
        except Exception as error:  # what Lambda does with an unhandled exception
            error_type = type(error).__name__
            response_headers["x-amz-function-error"] = "Unhandled"
            payload = json.dumps(
                {
                    "errorType": error_type,
                    "errorMessage": str(error),
                    "stackTrace": traceback.format_tb(error.__traceback__),
                }
            )
        with self._lock:
            self.invocations.append(Invocation(function.function_name, event, error_type))
        encoded = payload.encode()
        response_headers["Content-Length"] = str(len(encoded))
        return encoded

    def _apply_environment(self, variables: dict[str, str]) -> None:
        """Each function runs with its own environment, as in its own sandbox; the parsed
        environment and the clients are reset when it changes (a new cold start)."""
        wanted = {**variables, **LOCAL_ENVIRONMENT}
        with self._lock:
            if wanted == self._applied_environment:
                return
            os.environ.update(wanted)
            self._applied_environment = wanted
            for module_name, reset in (
                ("cutover.shifter.environment", "environment"),
                ("cutover.shifter.adapters.aws_clients", "_client"),
            ):
                module = sys.modules.get(module_name)
                if module is not None:
                    getattr(module, reset).cache_clear()
