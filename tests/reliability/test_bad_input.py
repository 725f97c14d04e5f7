"""Malformed execution inputs: each is rejected by `cutover plan` and by the state machine,
naming the field, before anything in AWS is touched (docs/workflow.md, "Execution input").

One corpus, two ways in: the CLI (`cutover plan -i -`, offline) and StartExecution on the
real state machine in moto. The rejected cases share one stack (class-scoped: a rejection
changes nothing, and each case checks that it did not); the few known gaps the validator
accepts start a real deployment, so each of those gets a stack of its own.

Known gaps are marked `xfail(strict=True)` with what should happen instead."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

from cutover.cdk.test_route import LOCAL_TEST_TOKEN
from cutover.cli.main import app
from cutover.local import runtime
from cutover.local.runtime import LocalCutover
from cutover.local.test_route_stand_in import TestRouteStandIn
from cutover.shifter.contract import Output, StepName
from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import parse_execution_input
from tests.workflow.conftest import local_cutover

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"
# The longest legitimate message echoes an invalid image (at most 512 characters); an
# absurd value must not be echoed in full (a Step Functions cause holds 32 768 at most).
MAX_MESSAGE = 1_024
EXECUTION_TIMEOUT_SECONDS = 30.0
runner = CliRunner()


@dataclass(frozen=True)
class Case:
    id: str
    document: Any  # any JSON value: sent as its JSON text
    field: str  # the path the message must start with: `<field>: <what is wrong>`
    cli_gap: str | None = None  # known CLI defect: xfail(strict) on the CLI
    sm_gap: str | None = None  # known validation defect: xfail(strict) on the state machine


def steps(*weights: int, **extra: Any) -> dict[str, Any]:
    return {"image": IMAGE, "strategy": {"steps": [{"weight": w} for w in weights]}, **extra}


def smoke(**test: Any) -> dict[str, Any]:
    return {"image": IMAGE, "smoke_tests": [{"path": "/health", **test}]}


def nested_list(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


DIGEST = "a" * 64

CORPUS: tuple[Case, ...] = (
    # wrong types: never coerced
    Case("image-number", {"image": 123}, "image"),
    Case("image-null", {"image": None}, "image"),
    Case(
        "weights-as-strings",
        {"image": IMAGE, "strategy": {"steps": [{"weight": "10"}, {"weight": "100"}]}},
        "strategy.steps[0].weight",
    ),
    Case("bake-seconds-float", {"image": IMAGE, "bake_seconds": 1.5}, "bake_seconds"),
    Case("bake-seconds-whole-float", {"image": IMAGE, "bake_seconds": 30.0}, "bake_seconds"),
    Case("bake-seconds-bool", {"image": IMAGE, "bake_seconds": True}, "bake_seconds"),
    Case("force-yes", {"action": "switch", "to": "green", "force": "yes"}, "force"),
    Case(
        "pause-yes",
        {"image": IMAGE, "strategy": {"steps": [{"weight": 10, "pause": "yes"}, {"weight": 100}]}},
        "strategy.steps[0].pause",
    ),
    Case("expect-status-string", smoke(expect_status="200"), "smoke_tests[0].expect_status"),
    Case("reason-number", {"image": IMAGE, "reason": 5}, "reason"),
    Case("smoke-tests-object", {"image": IMAGE, "smoke_tests": {"path": "/health"}}, "smoke_tests"),
    Case("smoke-test-string", {"image": IMAGE, "smoke_tests": ["/health"]}, "smoke_tests[0]"),
    Case("header-value-number", smoke(headers={"X-Debug": 1}), "smoke_tests[0].headers.X-Debug"),
    Case("smoke-body-number", smoke(body=5), "smoke_tests[0].body"),
    Case("strategy-number", {"image": IMAGE, "strategy": 5}, "strategy"),
    Case("step-not-an-object", {"image": IMAGE, "strategy": {"steps": [100]}}, "strategy.steps[0]"),
    # missing image
    Case("missing-image", {"strategy": "canary"}, "image"),
    Case("empty-object", {}, "image"),
    # weights
    Case("weight-0", steps(0, 100), "strategy.steps[0].weight"),
    Case("weight-101", steps(101), "strategy.steps[0].weight"),
    Case("weight-negative", steps(-5, 100), "strategy.steps[0].weight"),
    Case("last-weight-not-100", steps(10, 90), "strategy.steps[1].weight"),
    Case("weights-decreasing", steps(50, 20, 100), "strategy.steps[1].weight"),
    Case("weights-equal", steps(50, 50, 100), "strategy.steps[1].weight"),
    Case("no-steps", steps(), "strategy.steps"),
    Case("too-many-steps", steps(*range(50, 101)), "strategy.steps"),
    Case(
        "pause-with-bake",
        {"image": IMAGE, "strategy": {"steps": [{"weight": 10, "pause": True, "bake_seconds": 60}, {"weight": 100}]}},
        "strategy.steps[0].bake_seconds",
    ),
    # unknown fields
    Case("unknown-top-level", {"image": IMAGE, "colour": "blue"}, "colour"),
    Case(
        "unknown-in-step",
        {"image": IMAGE, "strategy": {"steps": [{"weight": 100, "wieght": 100}]}},
        "strategy.steps[0].wieght",
    ),
    Case(
        "unknown-in-strategy",
        {"image": IMAGE, "strategy": {"steps": [{"weight": 100}], "name": "fast"}},
        "strategy.name",
    ),
    Case("unknown-in-smoke-test", smoke(timeout=3), "smoke_tests[0].timeout"),
    # times
    Case("bake-seconds-huge", {"image": IMAGE, "bake_seconds": 10**9}, "bake_seconds"),
    Case("bake-seconds-negative", {"image": IMAGE, "bake_seconds": -1}, "bake_seconds"),
    Case("termination-wait-huge", {"image": IMAGE, "termination_wait_seconds": 10**9}, "termination_wait_seconds"),
    Case(
        "step-bake-negative",
        {"image": IMAGE, "strategy": {"steps": [{"weight": 100, "bake_seconds": -1}]}},
        "strategy.steps[0].bake_seconds",
    ),
    # absurdly long strings
    Case("reason-10000-chars", {"image": IMAGE, "reason": "r" * 10_000}, "reason"),
    Case("image-2000-chars", {"image": "a" * 1_997 + ":v2"}, "image"),
    Case("smoke-path-5000-chars", smoke(path="/" + "p" * 4_999), "smoke_tests[0].path"),
    Case("action-40000-chars", {"action": "x" * 40_000}, "action"),
    Case(
        "bake-seconds-40000-char-string",
        {"image": IMAGE, "bake_seconds": "9" * 40_000},
        "bake_seconds",
    ),
    Case(
        "expect-json-300-deep",
        smoke(expect_json=nested_list(300)),
        "smoke_tests[0].expect_json",
    ),
    # not a JSON object
    Case("json-list", [1, 2], "input"),
    Case("json-number", 42, "input"),
    Case("json-string", "deploy", "input"),
    Case("json-null", None, "input"),
    # actions
    Case("unknown-action", {"action": "teleport"}, "action"),
    Case("action-uppercase", {"action": "DEPLOY", "image": IMAGE}, "action"),
    Case("action-number", {"action": 5}, "action"),
    Case("switch-to-purple", {"action": "switch", "to": "purple"}, "to"),
    Case("switch-without-to", {"action": "switch"}, "to"),
    Case("promote-with-image", {"action": "promote", "image": IMAGE}, "image"),
    Case("abort-with-unknown-fields", {"action": "abort", "now": True, "to": "blue"}, "now"),
    Case("rollback-with-to", {"action": "rollback", "to": "blue"}, "to"),
    Case("repair-with-force", {"action": "repair", "force": True}, "force"),
    Case("deploy-with-to", {"image": IMAGE, "to": "green"}, "to"),
    # smoke tests
    Case("smoke-path-relative", smoke(path="health"), "smoke_tests[0].path"),
    Case("smoke-method-unknown", smoke(method="FETCH"), "smoke_tests[0].method"),
    Case("smoke-method-lowercase", smoke(method="get"), "smoke_tests[0].method"),
    Case("expect-status-99", smoke(expect_status=99), "smoke_tests[0].expect_status"),
    Case("expect-status-600", smoke(expect_status=600), "smoke_tests[0].expect_status"),
    Case("max-latency-0", smoke(max_latency_ms=0), "smoke_tests[0].max_latency_ms"),
    Case("too-many-smoke-tests", {"image": IMAGE, "smoke_tests": [{"path": "/health"}] * 21}, "smoke_tests"),
    # strategy tuning
    Case("canary-weight-100", {"image": IMAGE, "strategy": "canary", "canary_weight": 100}, "canary_weight"),
    Case("canary-weight-0", {"image": IMAGE, "strategy": "canary", "canary_weight": 0}, "canary_weight"),
    Case("linear-step-100", {"image": IMAGE, "strategy": "linear", "linear_step": 100}, "linear_step"),
    Case("linear-step-with-all-at-once", {"image": IMAGE, "strategy": "all-at-once", "linear_step": 10}, "linear_step"),
    Case("canary-weight-with-steps", steps(100, canary_weight=10), "canary_weight"),
    Case("strategy-unknown", {"image": IMAGE, "strategy": "blue-green"}, "strategy"),
    # CodePipeline's imageDetail.json
    Case(
        "image-detail-without-uri",
        {"ImageTags": ["v2"], "RepositoryName": "app", "ImageDigest": f"sha256:{DIGEST}"},
        "ImageURI",
    ),
    Case("image-detail-invalid-uri", {"ImageURI": "app", "ImageTags": ["v2"]}, "ImageURI"),
    Case("image-detail-uri-number", {"ImageURI": 5}, "ImageURI"),
    Case("image-detail-with-action", {"ImageURI": IMAGE, "action": "switch"}, "action"),
    # image references
    Case("digest-wrong-length", {"image": "app@sha256:abc"}, "image"),
    Case("digest-uppercase", {"image": f"app@sha256:{DIGEST.upper()}"}, "image"),
    Case("repository-uppercase", {"image": "example.com/MyApp:v2"}, "image"),
    Case("image-without-tag", {"image": "app"}, "image"),
    Case("image-empty", {"image": ""}, "image"),
    Case("image-leading-space", {"image": f" {IMAGE}"}, "image"),
    Case("image-tag-129-chars", {"image": "app:" + "t" * 129}, "image"),
    Case(
        "image-trailing-newline",
        {"image": f"{IMAGE}\n"},
        "image",
    ),
    Case(
        "smoke-path-with-space",
        smoke(path="/he alth"),
        "smoke_tests[0].path",
    ),
    Case(
        "smoke-header-crlf",
        smoke(headers={"X-Debug": "a\r\nX-Injected: 1"}),
        "smoke_tests[0].headers.X-Debug",
    ),
    # text that is also rich markup
    Case(
        "action-markup-closing-tag",
        {"action": "[/bold]"},
        "action",
    ),
    Case(
        "unknown-field-markup-tag",
        {"image": IMAGE, "[bold]colour": 1},
        "[bold]colour",
    ),
)

assert len({case.id for case in CORPUS}) == len(CORPUS), "case ids must be unique"


def _params(cases: tuple[Case, ...], gap: str) -> list[Any]:
    params = []
    for case in cases:
        reason = getattr(case, gap)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def _execution_name(case: Case) -> str:
    return f"bad-input-{case.id}"[:80]  # ids are unique and already valid execution names


# ------------------------------------------------------------------ the CLI
@pytest.mark.parametrize("case", _params(CORPUS, "cli_gap"))
def test_cutover_plan_rejects_naming_the_field(case: Case) -> None:
    result = runner.invoke(app, ["plan", "--input", "-"], input=json.dumps(case.document))
    assert result.exit_code == 2, f"exit {result.exit_code} ({result.exception!r}): {result.output[:500]}"
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, f"{len(lines)} lines: {result.output[:500]}"
    (line,) = lines
    assert line.startswith(f"cutover: {case.field}: "), line[:500]
    assert len(line) <= len("cutover: ") + MAX_MESSAGE, f"{len(line)} characters: {line[:200]}…"


def test_cutover_plan_prints_the_validators_message_verbatim() -> None:
    document = {"image": "example.com/MyApp:v2"}
    with pytest.raises(InvalidInput) as raised:
        parse_execution_input(document)
    result = runner.invoke(app, ["plan", "--input", "-"], input=json.dumps(document))
    assert result.output.strip() == f"cutover: {raised.value}"


def test_cutover_plan_rejects_json_nested_too_deep_to_parse() -> None:
    text = json.dumps({"image": IMAGE, "smoke_tests": [{"path": "/", "expect_json": "HOLE"}]})
    text = text.replace('"HOLE"', "[" * 5_000 + "]" * 5_000)
    result = runner.invoke(app, ["plan", "--input", "-"], input=text)
    assert result.exit_code == 2, f"exit {result.exit_code} ({result.exception!r}): {result.output[:500]}"
    assert result.output.startswith("cutover: input: ")


# ------------------------------------------------------------------ the state machine
def snapshot(cutover: LocalCutover) -> dict[str, Any]:
    """Everything a rejected input must leave as it was."""
    ecs = cutover.client("ecs")
    return {
        "weights": cutover.weights(),
        "blue": cutover.service("blue"),
        "green": cutover.service("green"),
        "task_definitions": sorted(ecs.list_task_definitions()["taskDefinitionArns"]),
        "live_state": cutover.live_state(),
        "lock": cutover.lock(),
        "deployments": cutover.deployments(),
    }


def assert_rejected_and_nothing_changed(cutover: LocalCutover, case: Case, before: dict[str, Any]) -> None:
    """`before`: the stack as it was before this case (for the shared stack, as it was created)."""
    runtime.lambda_runtime.invocations.clear()

    execution = cutover.run(json.dumps(case.document), _execution_name(case), EXECUTION_TIMEOUT_SECONDS)

    cause = execution.cause or ""
    outcome = f"{case.id}: {execution.status} {execution.error}: {cause[:300]}"
    assert (execution.status, execution.error) == ("FAILED", "InvalidInput"), outcome
    assert cause.startswith(f"{case.field}: "), outcome
    assert len(cause) <= MAX_MESSAGE, f"{case.id}: a {len(cause)}-character cause: {cause[:200]}…"
    invoked = [
        (i.function_name, i.event.get("step") if isinstance(i.event, dict) else None, i.error_type)
        for i in runtime.lambda_runtime.invocations
    ]
    expected = [(cutover.outputs[Output.WORKFLOW_FUNCTION_NAME], StepName.VALIDATE, InvalidInput.__name__)]
    assert invoked == expected, f"{case.id}: {invoked}"
    after = snapshot(cutover)
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    assert not changed, f"{case.id} changed (before, after): {changed}"


def assert_untouched(state: dict[str, Any]) -> None:
    assert state["weights"] == {"blue": 100, "green": 0}, state
    assert state["green"]["desired"] == 0 and state["blue"]["desired"] > 0, state
    assert state["lock"] is None and state["deployments"] == [], state


REJECTED = CORPUS


class TestStateMachineOnOneStack:
    """Every rejected case against one stack: each must leave it exactly as it was created,
    so a case that changed anything fails itself (and every case after it)."""

    @pytest.fixture(scope="class")
    def stack(self) -> Iterator[tuple[LocalCutover, dict[str, Any]]]:
        runtime.install(time_scale=0.001)
        stand_in = TestRouteStandIn(token=LOCAL_TEST_TOKEN)
        try:
            with pytest.MonkeyPatch.context() as monkeypatch, local_cutover(monkeypatch, stand_in) as local:
                # One boto3 client per service, not one per call: ~80 executions, each polled.
                monkeypatch.setattr(local, "client", functools.cache(local.client))
                created = snapshot(local)
                assert_untouched(created)
                yield local, created
        finally:
            stand_in.close()

    @pytest.mark.parametrize("case", _params(REJECTED, "sm_gap"))
    def test_execution_fails_with_invalid_input_and_changes_nothing(
        self, stack: tuple[LocalCutover, dict[str, Any]], case: Case
    ) -> None:
        cutover, created = stack
        assert_rejected_and_nothing_changed(cutover, case, created)
