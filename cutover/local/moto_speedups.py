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

Measured on tests/workflow/test_step_and_rollback_hooks.py (2026-12-06, 73 s): its 29 tests create
29 different definitions, because CloudFormation names every function with a random suffix, and
parsing them took 15.7 s (0.54 s each); moto's RSA keys took 5 % more.

- **One ANTLR parse per definition shape.** ASL's grammar has no semantic predicates, so the
  parse tree depends only on the sequence of token types; two definitions that differ only in the
  text of some tokens (the same template's function ARNs with another suffix) have the same tree
  but for those tokens' text. So the definition is lexed (a twentieth of a parse), and when a
  parsed definition had the same token types, its tree is copied with the new tokens. A lexer
  error, or a shape not seen, takes the full parse.
- **RSA keys that are never used.** moto's KMS generates an RSA-2048 key pair for every key,
  symmetric ones included, which AWS never signs with (Sign and Verify need an asymmetric key,
  KMS developer guide, "Asymmetric keys in AWS KMS"); the stack's key and DynamoDB's default key
  took ~0.1 s each, every test. Symmetric and HMAC keys now share one, made when first asked
  for. moto's SNS made one per subscription to sign HTTP deliveries; SNS signs a region's messages
  with one certificate (SigningCertURL), so one key per process signs them all here.

Measured with py-spy's `--gil` (only the thread holding the GIL, so CPU and not waiting) on
tests/workflow/test_step_and_rollback_hooks.py (2026-12-06): creating the state machine was still
24 % of the file, validating a definition moto had validated in the test before, with other
function names.

- **The same names in every test.** CloudFormation names each function `stack-LogicalId-SUFFIX`
  with a random suffix, so each test's definition differed from the last. moto's random IDs can be
  seeded (its `/moto-api/seed`); seeded from the stack's name and the number of stacks the account
  had before, the same template gets the same names in every test, and a second stack of an account
  gets other ones.
- **A definition validated once.** moto's `_validate_definition` parses the definition and builds
  its program only to see that it can: the outcome depends on the text alone, so a definition that
  passed is not validated again (an invalid one still fails every time). With the two, the file's
  tests and test_long_deployments.py took 62 s of CPU instead of 75 s.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import threading
from typing import Any

import botocore.session
from antlr4 import CommonTokenStream, InputStream, ParserRuleContext, Token
from antlr4.error.ErrorListener import ErrorListener
from antlr4.tree.Tree import TerminalNodeImpl
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.cloudformation.models import Stack
from moto.core import base_backend
from moto.core.models import botocore_stubber
from moto.kms import models as kms_models
from moto.kms import utils as kms_utils
from moto.kms.utils import KeySpec
from moto.moto_api._internal import mock_random
from moto.settings import moto_server_port
from moto.sns.models import Subscription
from moto.stepfunctions.parser.asl.antlr.runtime.ASLLexer import ASLLexer
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import boto_client as moto_boto_client
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

_original_client_for = moto_boto_client.boto_client_for
_original_regions = base_backend.AccountSpecificBackend._generate_regions
_clients: dict[tuple[str, str, bool, str], Any] = {}
_regions: dict[str, list[str]] = {}
_lock = threading.Lock()
_original_create_loader = botocore.session.create_loader
_original_parse_template = Stack.parse_template
_original_asl_parse = AmazonStateLanguageParser.parse
_asl_trees: dict[str, Any] = {}
_asl_shapes: dict[tuple[int, ...], Any] = {}  # token types -> a tree parsed from them
_ASL_TREES_KEPT = 16  # a test module synthesizes a handful of definitions; bounded all the same
_original_generate_private_key = kms_utils.generate_private_key
_original_validate_definition = StepFunctionsParserBackend._validate_definition
_validated: dict[str, None] = {}  # definitions moto validated, oldest first


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


class _LexerErrors(ErrorListener):  # type: ignore[misc]  # antlr4 has no type information
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def syntaxError(self, *_: Any) -> None:
        self.seen = True


def _tokens(definition: str) -> list[Token] | None:
    """The definition's tokens as moto's parser sees them, or None if the lexer reported an error."""
    lexer = ASLLexer(InputStream(definition))
    errors = _LexerErrors()
    lexer.removeErrorListeners()
    lexer.addErrorListener(errors)
    stream = CommonTokenStream(lexer)
    stream.fill()
    return None if errors.seen else list(stream.tokens)


def _with_tokens(node: Any, tokens: list[Token], parent: Any = None) -> Any:
    """A copy of the parse tree `node` whose every token is the one at its index in `tokens`."""
    if isinstance(node, TerminalNodeImpl):
        terminal = TerminalNodeImpl(tokens[node.symbol.tokenIndex])
        terminal.parentCtx = parent
        return terminal
    assert isinstance(node, ParserRuleContext)
    copy = object.__new__(type(node))
    copy.parser = node.parser
    copy.parentCtx = parent
    copy.invokingState = node.invokingState
    copy.exception = node.exception
    copy.start = None if node.start is None else tokens[node.start.tokenIndex]
    copy.stop = None if node.stop is None else tokens[node.stop.tokenIndex]
    copy.children = None if node.children is None else [_with_tokens(child, tokens, copy) for child in node.children]
    return copy


def seed_for_stack(stack_name: str, stacks_before: int) -> None:
    """Seed moto's random IDs (its `/moto-api/seed`) from the stack's name and how many stacks the
    account had before: the same template then gets the same physical names in every test."""
    digest = hashlib.sha256(f"{stack_name}\0{stacks_before}".encode()).digest()
    mock_random.seed(int.from_bytes(digest[:8], "big"))


def validate_definition_once(definition: str) -> None:
    """moto's validation (parse it, build its program), once per definition text: the result
    depends on the text alone, and a valid definition is kept (an invalid one raises each time)."""
    if definition in _validated:
        return
    _original_validate_definition(definition)
    _keep(_validated, definition, None)


def _keep(kept: dict[Any, Any], key: Any, tree: Any) -> None:
    with _lock:
        if len(kept) >= _ASL_TREES_KEPT:
            kept.pop(next(iter(kept)))
        kept[key] = tree


def parse_asl_once(definition: str) -> tuple[Any, Any]:
    tree = _asl_trees.get(definition)
    if tree is None:
        tokens = _tokens(definition)
        shape = None if tokens is None else tuple(token.type for token in tokens)
        known = None if shape is None else _asl_shapes.get(shape)
        if known is None:
            program, tree = _original_asl_parse(definition)  # raises on an invalid definition: never kept
            _keep(_asl_trees, definition, tree)
            if shape is not None:
                _keep(_asl_shapes, shape, tree)
            return program, tree
        assert tokens is not None
        tree = _with_tokens(known, tokens)
        _keep(_asl_trees, definition, tree)
    return Preprocessor().visit(tree), tree


_ASYMMETRIC_SPECS = {KeySpec.RSA_2048, KeySpec.RSA_3072, KeySpec.RSA_4096, *KeySpec.ecc_key_specs()}


@functools.cache
def _unused_rsa_key() -> Any:
    return _original_generate_private_key(KeySpec.RSA_2048)


def generate_private_key(key_spec: str) -> Any:
    """moto's, for asymmetric keys; one shared key for the others, which KMS never signs with."""
    return _original_generate_private_key(key_spec) if key_spec in _ASYMMETRIC_SPECS else _unused_rsa_key()


@functools.cache
def _sns_region_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sns_signing_key(_subscription: Any) -> rsa.RSAPrivateKey:
    """moto's `Subscription.private_key()`: one key for every subscription, as SNS has one certificate."""
    return _sns_region_key()


def apply() -> None:
    """Idempotent. Every interpreter module imported `boto_client_for` by name: replace each binding."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils  # noqa: F401

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    base_backend.AccountSpecificBackend._generate_regions = cached_regions  # type: ignore[method-assign,assignment]
    botocore.session.create_loader = shared_loader
    Stack.parse_template = staticmethod(parse_template_json_first)  # type: ignore[method-assign]
    AmazonStateLanguageParser.parse = staticmethod(parse_asl_once)  # type: ignore[method-assign]
    StepFunctionsParserBackend._validate_definition = staticmethod(validate_definition_once)  # type: ignore[method-assign]
    kms_models.generate_private_key = generate_private_key  # type: ignore[attr-defined]  # imported by name
    Subscription.private_key = sns_signing_key  # type: ignore[method-assign,assignment]
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if (
            name.startswith("moto.stepfunctions.parser")
            and getattr(module, "boto_client_for", None) is _original_client_for
        ):
            module.boto_client_for = cached_boto_client_for  # type: ignore[attr-defined]
