"""Speed-ups of moto's own work: the same AWS behaviour, less CPU in every local test.

Measured with py-spy on tests/workflow/test_deploy.py (2026-12-04); each is CPU taken from the
in-process Lambdas and the interpreter a test waits for:

- **The interpreter's clients.** moto's Step Functions `boto_client_for` builds a new boto3 client
  for every Lambda (and other service) task; building one loads botocore's service model and
  copies its event hooks, ~10 ms of CPU: 7 % of a workflow test's CPU. One client per (region,
  service, endpoint) makes the same calls: moto's function ignores the state's credentials, its
  stubber decides at call time whether a call is intercepted, and boto3's clients are
  thread-safe ("Low-level clients are thread safe", boto3 guide, clients), which Parallel
  branches need.
- **Each backend's regions.** moto caches a service's region list per backend *instance*
  (`lru_cache` on a method), and makes new instances for each test: asking botocore for them
  again was 43 % of creating the stack. The list depends only on the service and botocore's data.
- **The default AMI catalogue.** Every reset of moto's EC2 backend loads thousands of public AMIs
  and their snapshots, 1.5 s a test in its teardown alone. Cutover runs on Fargate and never
  asks for an AMI; moto's own switch turns the catalogue off (`MOTO_EC2_LOAD_DEFAULT_AMIS`).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from moto.core import base_backend
from moto.core.models import botocore_stubber
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.utils import boto_client as moto_boto_client

_original_client_for = moto_boto_client.boto_client_for
_original_regions = base_backend.AccountSpecificBackend._generate_regions
_clients: dict[tuple[str, str, bool, str], Any] = {}
_regions: dict[str, list[str]] = {}
_lock = threading.Lock()


def cached_boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    key = (region, service, bool(botocore_stubber.enabled), str(moto_server_port()))
    with _lock:
        if key not in _clients:
            _clients[key] = _original_client_for(region, service, state_credentials)
        return _clients[key]


def cached_regions(self: Any, service_name: str) -> list[str]:
    with _lock:
        if service_name not in _regions:
            _regions[service_name] = list(_original_regions.__wrapped__(self, service_name))
        return list(_regions[service_name])


def apply() -> None:
    """Idempotent. Every interpreter module imported `boto_client_for` by name: replace each binding."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils  # noqa: F401

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    base_backend.AccountSpecificBackend._generate_regions = cached_regions  # type: ignore[method-assign,assignment]
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if (
            name.startswith("moto.stepfunctions.parser")
            and getattr(module, "boto_client_for", None) is _original_client_for
        ):
            module.boto_client_for = cached_boto_client_for  # type: ignore[attr-defined]
