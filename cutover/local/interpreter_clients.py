"""moto's Step Functions interpreter keeps its boto3 clients instead of creating one per task.

moto's `boto_client_for` builds a new client for every Lambda (and other service) task it runs;
building one loads botocore's service model and copies its event hooks, ~10 ms of CPU. In a
workflow test that was 7 % of all the CPU it used (py-spy on tests/workflow/test_deploy.py,
2026-12-04), taken from the in-process Lambdas the interpreter waits for. One client per
(region, service, endpoint) does the same calls: moto's own function ignores the state's
credentials, its stubber decides at call time whether a call is intercepted, and boto3's
clients are thread-safe ("Low-level clients are thread safe", boto3 guide, clients), which
Parallel branches need. A harness speed-up: no AWS behaviour changes.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from moto.core.models import botocore_stubber
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.utils import boto_client as moto_boto_client

_original = moto_boto_client.boto_client_for
_clients: dict[tuple[str, str, bool, str], Any] = {}
_lock = threading.Lock()


def cached_boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    key = (region, service, bool(botocore_stubber.enabled), str(moto_server_port()))
    with _lock:
        if key not in _clients:
            _clients[key] = _original(region, service, state_credentials)
        return _clients[key]


def apply() -> None:
    """Idempotent. Every interpreter module imported `boto_client_for` by name: replace each binding."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils  # noqa: F401

    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if name.startswith("moto.stepfunctions.parser") and getattr(module, "boto_client_for", None) is _original:
            module.boto_client_for = cached_boto_client_for  # type: ignore[attr-defined]
