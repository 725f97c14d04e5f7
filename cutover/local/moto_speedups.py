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

Measured with py-spy on tests/workflow/test_rollback.py (2026-12-06), of all the samples of the
file's run, creating the stack (the `cutover` fixture) being 32 %:

- **botocore's data, loaded once per process.** moto gives every test a new default boto3
  session; each new session made a new botocore `Loader`, which parsed `endpoints.json` and every
  service model again on its first client: 9 % of the run. The loader only reads botocore's
  packaged JSON, the same for every session with the same data path, so one loader per data path
  serves them all (its `instance_cache` is what a single session already shares between clients).
- **Templates parsed as JSON first.** moto's `Stack.parse_template` runs PyYAML (pure Python)
  over the synthesized template, then JSON only if YAML fails: 7 % of the run for one JSON
  document. A JSON template gives the same dict either way (JSON is YAML; every scalar in it is
  quoted or a number), so JSON first, YAML for what is not JSON (short-form `!Ref` templates).
- **One ANTLR parse per state machine definition.** moto parses the definition with ANTLR when
  the state machine is created and again for every execution: 8.5 % of the run. The parse tree is
  only read afterwards (moto's `Preprocessor` builds the evaluation components from it without
  changing it), so it is kept per definition and a fresh program is built from it each time:
  executions never share components, as on moto itself.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from typing import Any

import botocore.session
from moto.cloudformation.models import Stack
from moto.core import base_backend
from moto.core.models import botocore_stubber
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import boto_client as moto_boto_client

_original_client_for = moto_boto_client.boto_client_for
_original_regions = base_backend.AccountSpecificBackend._generate_regions
_clients: dict[tuple[str, str, bool, str], Any] = {}
_regions: dict[str, list[str]] = {}
_lock = threading.Lock()
_original_create_loader = botocore.session.create_loader
_original_parse_template = Stack.parse_template
_original_asl_parse = AmazonStateLanguageParser.parse
_asl_trees: dict[str, Any] = {}
_ASL_TREES_KEPT = 16  # a test module synthesizes a handful of definitions; bounded all the same


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


class _SearchPaths(list[str]):
    """boto3 appends its own data path to the loader of every session it makes: once is enough."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


@functools.cache
def shared_loader(search_path_string: str | None = None) -> Any:
    loader: Any = _original_create_loader(search_path_string)
    loader._search_paths = _SearchPaths(loader.search_paths)
    return loader


def parse_template_json_first(template: str) -> dict[str, Any]:
    try:
        parsed = json.loads(template)
    except ValueError:
        return _original_parse_template(template)
    if not isinstance(parsed, dict):
        return _original_parse_template(template)
    return parsed


def parse_asl_once(definition: str) -> tuple[Any, Any]:
    tree = _asl_trees.get(definition)
    if tree is None:
        program, tree = _original_asl_parse(definition)  # raises on an invalid definition: never kept
        with _lock:
            if len(_asl_trees) >= _ASL_TREES_KEPT:
                _asl_trees.pop(next(iter(_asl_trees)))
            _asl_trees[definition] = tree
        return program, tree
    return Preprocessor().visit(tree), tree


def apply() -> None:
    """Idempotent. Every interpreter module imported `boto_client_for` by name: replace each binding."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils  # noqa: F401

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    base_backend.AccountSpecificBackend._generate_regions = cached_regions  # type: ignore[method-assign,assignment]
    botocore.session.create_loader = shared_loader
    Stack.parse_template = staticmethod(parse_template_json_first)  # type: ignore[method-assign]
    AmazonStateLanguageParser.parse = staticmethod(parse_asl_once)  # type: ignore[method-assign]
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if (
            name.startswith("moto.stepfunctions.parser")
            and getattr(module, "boto_client_for", None) is _original_client_for
        ):
            module.boto_client_for = cached_boto_client_for  # type: ignore[attr-defined]
