"""The execution input contract: what is accepted, and one clear line naming the field when not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import (
    AbortInput,
    DeployInput,
    PromoteInput,
    RollbackInput,
    SmokeTest,
    Step,
    StepsStrategy,
    SwitchInput,
    parse_execution_input,
)

DIGEST = "sha256:" + "0123456789abcdef" * 4
ECR_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app"
IMAGE_DETAIL = {
    "ImageSizeInBytes": "50801513",
    "ImageDigest": DIGEST,
    "Version": "1.0",
    "ImagePushedAt": "Mon Jan 21 20:04:00 UTC 2019",
    "RegistryId": "123456789012",
    "RepositoryName": "app",
    "ImageURI": f"{ECR_IMAGE}@{DIGEST}",
    "ImageTags": ["v2"],
}


def steps(*weights: int) -> dict[str, Any]:
    return {"steps": [{"weight": weight} for weight in weights]}


def deploy(**fields: Any) -> dict[str, Any]:
    return {"image": "app:v1", **fields}


def parse_deploy(raw: object) -> DeployInput:
    request = parse_execution_input(raw)
    assert isinstance(request, DeployInput)
    return request


def error_for(raw: object) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_execution_input(raw)
    return str(caught.value)


def test_minimal_deploy_leaves_every_default_to_the_stack() -> None:
    request = parse_deploy({"image": f"{ECR_IMAGE}:v2"})
    assert request == DeployInput(image=f"{ECR_IMAGE}:v2")
    assert request.action == "deploy"
    assert request.strategy is None
    assert request.smoke_tests is None
    assert request.bake_seconds is None


def test_full_deploy_input_is_parsed() -> None:
    request = parse_deploy(
        {
            "action": "deploy",
            "image": f"{ECR_IMAGE}:v2@{DIGEST}",
            "strategy": {"steps": [{"weight": 5, "bake_seconds": 60}, {"weight": 50, "pause": True}, {"weight": 100}]},
            "bake_seconds": 0,
            "smoke_tests": [{"path": "/mcp", "method": "POST", "body": {"jsonrpc": "2.0"}, "expect_json": {"id": 1}}],
            "termination_wait_seconds": 30,
            "reason": "hotfix",
        }
    )
    assert request.strategy == StepsStrategy(
        steps=[Step(weight=5, bake_seconds=60), Step(weight=50, pause=True), Step(weight=100)]
    )
    assert request.smoke_tests == [
        SmokeTest(path="/mcp", method="POST", body={"jsonrpc": "2.0"}, expect_json={"id": 1})
    ]
    assert request.bake_seconds == 0
    assert request.termination_wait_seconds == 30


def test_json_string_input_is_parsed() -> None:
    request = parse_deploy(json.dumps({"image": "app:v1", "strategy": "linear", "linear_step": 25}))
    assert request.strategy == "linear"
    assert request.linear_step == 25


def test_explicit_empty_smoke_tests_are_kept_empty() -> None:
    assert parse_deploy(deploy(smoke_tests=[])).smoke_tests == []


@pytest.mark.parametrize(
    "image",
    [
        "nginx:1.27-alpine",
        f"{ECR_IMAGE}:v2",
        f"{ECR_IMAGE}@{DIGEST}",
        f"{ECR_IMAGE}:v2@{DIGEST}",
        "localhost:5000/team/app:latest",
    ],
)
def test_image_references_with_a_tag_or_digest_are_accepted(image: str) -> None:
    assert parse_deploy({"image": image}).image == image


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (deploy(colour="green"), "colour: unknown field"),
        ({"colour": "green"}, "colour: unknown field"),
        (
            {"action": "redeploy", "image": "app:v1"},
            "action: unknown action 'redeploy' (expected one of: deploy, switch, rollback, promote, abort, repair)",
        ),
        ({"reason": "no image"}, "image: required field"),
        ({}, "image: required field"),
        (
            deploy(strategy=steps(10, 50, 50, 100)),
            "strategy.steps[2].weight: weights must increase strictly (got 50 after 50)",
        ),
        (
            deploy(strategy=steps(10, 50, 20, 100)),
            "strategy.steps[2].weight: weights must increase strictly (got 20 after 50)",
        ),
        (deploy(strategy=steps(10, 50)), "strategy.steps[1].weight: the last step must send 100 % (got 50)"),
        (
            deploy(strategy={"steps": [{"weight": 10.5}, {"weight": 100}]}),
            "strategy.steps[0].weight: expected an integer, got 10.5",
        ),
        (
            deploy(strategy={"steps": [{"weight": True}, {"weight": 100}]}),
            "strategy.steps[0].weight: expected an integer, got true",
        ),
        (
            deploy(strategy={"steps": [{"weight": 50, "pause": True, "bake_seconds": 60}, {"weight": 100}]}),
            "strategy.steps[0].bake_seconds: a pause step waits for promote, it cannot also set bake_seconds",
        ),
        (deploy(smoke_tests=[{"path": "/"}, {"path": "health"}]), "smoke_tests[1].path: must start with '/'"),
        (
            deploy(smoke_tests=[{"path": "/", "body": 5}]),
            "smoke_tests[0].body: expected a string, an object, a list or null",
        ),
        (deploy(strategy={"step": []}), "strategy.step: unknown field"),
        ("[1, 2]", "input: expected a JSON object"),
        ("{not json", "input: expected a JSON object"),
        ([{"image": "app:v1"}], "input: expected a JSON object"),
        (None, "input: expected a JSON object"),
    ],
)
def test_invalid_input_names_the_field(raw: object, message: str) -> None:
    assert error_for(raw) == message


@pytest.mark.parametrize(
    ("raw", "prefix"),
    [
        ({"image": "app"}, "image: not an image reference with a tag or digest"),
        ({"image": "app:v1@sha256:abc"}, "image: not an image reference with a tag or digest"),
        ({"image": "App:v1"}, "image: not an image reference with a tag or digest"),
        (deploy(strategy=steps(0, 100)), "strategy.steps[0].weight: Input should be greater than or equal to 1"),
        (deploy(strategy=steps(10, 101)), "strategy.steps[1].weight: Input should be less than or equal to 100"),
        (deploy(strategy=steps(*range(1, 51), 100)), "strategy.steps: List should have at most 50 items"),
        (deploy(strategy=steps()), "strategy.steps: List should have at least 1 item"),
        (
            deploy(strategy={"steps": [{"weight": 100, "bake_seconds": 86_401}]}),
            "strategy.steps[0].bake_seconds: Input should be less than or equal to 86400",
        ),
        (deploy(bake_seconds=86_401), "bake_seconds: Input should be less than or equal to 86400"),
        (deploy(bake_seconds=-1), "bake_seconds: Input should be greater than or equal to 0"),
        (deploy(strategy="blue-green"), "strategy: Input should be 'canary', 'linear' or 'all-at-once'"),
        (deploy(canary_weight=100), "canary_weight: Input should be less than or equal to 99"),
        (deploy(smoke_tests=[{"path": "/", "method": "get"}]), "smoke_tests[0].method: Input should be 'GET', 'POST'"),
        (
            deploy(smoke_tests=[{"path": "/", "expect_status": 600}]),
            "smoke_tests[0].expect_status: Input should be less",
        ),
        (deploy(smoke_tests=[{"path": "/"}] * 21), "smoke_tests: List should have at most 20 items"),
        (deploy(reason="x" * 1001), "reason: String should have at most 1000 characters"),
    ],
)
def test_bounds_are_reported_with_the_field_path(raw: dict[str, Any], prefix: str) -> None:
    assert error_for(raw).startswith(prefix)


def test_fifty_steps_are_the_most_allowed() -> None:
    strategy = parse_deploy(deploy(strategy=steps(*range(2, 101, 2)))).strategy
    assert isinstance(strategy, StepsStrategy)
    assert len(strategy.steps) == 50


def test_image_detail_from_codepipeline_becomes_a_deploy() -> None:
    request = parse_deploy(IMAGE_DETAIL)
    assert request == DeployInput(image=f"{ECR_IMAGE}@{DIGEST}", reason="CodePipeline: app:v2")


def test_image_detail_as_json_text_and_without_tags_names_the_digest() -> None:
    untagged = {**IMAGE_DETAIL, "ImageTags": []}
    request = parse_deploy(json.dumps(untagged))
    assert request.reason == f"CodePipeline: app:{DIGEST}"


def test_image_detail_with_only_the_uri_derives_the_repository() -> None:
    request = parse_deploy({"ImageURI": f"{ECR_IMAGE}:v7"})
    assert request.reason == "CodePipeline: app:v7"


def test_image_detail_ignores_fields_aws_adds_and_rejects_bad_uris() -> None:
    # A field CodePipeline may add to imageDetail.json one day must not fail every deployment.
    request = parse_deploy({**IMAGE_DETAIL, "ImageScanStatus": "COMPLETE", "Colour": "green"})
    assert request.image == IMAGE_DETAIL["ImageURI"]
    assert error_for({**IMAGE_DETAIL, "ImageURI": ECR_IMAGE}).startswith("ImageURI: not an image reference")


def test_image_detail_without_its_uri_says_the_uri_is_required() -> None:
    without_uri = {key: value for key, value in IMAGE_DETAIL.items() if key != "ImageURI"}
    assert error_for(without_uri) == "ImageURI: required field"


def test_image_detail_mixed_with_a_cutover_field_is_refused() -> None:
    # Ignoring `action` would turn a switch into a deployment of the image.
    assert error_for({**IMAGE_DETAIL, "action": "switch", "to": "green"}).startswith("action: unknown field")
    assert error_for({**IMAGE_DETAIL, "strategy": "canary"}).startswith("strategy: unknown field")


def test_models_are_frozen() -> None:
    request = DeployInput(image="app:v1")
    with pytest.raises(ValueError, match="frozen"):
        request.image = "app:v2"  # type: ignore[misc]


def test_manual_actions_are_parsed_into_their_own_models() -> None:
    assert parse_execution_input({"action": "switch", "to": "green"}) == SwitchInput(action="switch", to="green")
    forced = parse_execution_input({"action": "switch", "to": "blue", "force": True})
    assert isinstance(forced, SwitchInput) and forced.force is True
    assert isinstance(parse_execution_input({"action": "rollback"}), RollbackInput)
    assert isinstance(parse_execution_input({"action": "promote"}), PromoteInput)
    assert isinstance(parse_execution_input({"action": "abort", "reason": "p99 looks wrong"}), AbortInput)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"action": "switch"}, "to: required field"),
        ({"action": "switch", "to": "purple"}, "to: "),
        ({"action": "switch", "to": "green", "force": "yes"}, "force: "),
        ({"action": "promote", "image": "app:v2"}, "image: unknown field"),
        ({"action": "abort", "to": "blue"}, "to: unknown field"),
    ],
)
def test_manual_action_inputs_are_strict(raw: dict[str, Any], message: str) -> None:
    assert error_for(raw).startswith(message)


def test_hook_switches_default_to_every_configured_stage_and_name_what_is_skipped() -> None:
    assert parse_deploy(deploy()).hooks.skipped() == ()
    request = parse_deploy(deploy(hooks={"on_step": False, "on_rollback": False, "before_traffic": True}))
    assert request.hooks.skipped() == ("on_step", "on_rollback")


@pytest.mark.parametrize(
    ("hooks", "message"),
    [
        ({"on_rolback": False}, "hooks.on_rolback: unknown hook stage (known: before_traffic, after_traffic, "),
        ({"on_step": 0}, "hooks.on_step: expected true or false, got 0"),
        ({"on_step": None}, "hooks.on_step: expected true or false, got null"),
        ("on_step", "hooks: expected an object of true/false per stage"),
    ],
)
def test_hook_switches_are_strict(hooks: object, message: str) -> None:
    assert error_for(deploy(hooks=hooks)).startswith(message)


def test_only_a_deploy_takes_hook_switches() -> None:
    assert error_for({"action": "switch", "to": "green", "hooks": {"on_step": False}}) == "hooks: unknown field"
