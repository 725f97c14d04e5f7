"""The names that cross boundaries (shifter/contract.py) agree with what each side does with
them; tests/infra/test_contract.py checks the synthesized stack against the same names."""

from __future__ import annotations

import os
from unittest import mock

import pytest
from aws_lambda_powertools.utilities.parser import parse

from bench.cold_start_child import ENVIRONMENT as COLD_START_ENVIRONMENT
from cutover.shifter.contract import ENV_PREFIX, Env, LockAttribute, StepName
from cutover.shifter.environment import ShifterEnvironment, environment, variables
from cutover.shifter.handlers.workflow import SPECIAL_STEPS, STEPS
from cutover.shifter.logic.inputs import ECS_IMAGE_REFERENCE, IMAGE_REFERENCE, ExecutionInput, SwitchInput
from cutover.shifter.readers.lock import Lock
from tests.unit.shifter.fakes.context import ENVIRONMENT

DIGEST = "@sha256:" + "a" * 64


def test_every_step_name_has_exactly_one_handler() -> None:
    assert set(STEPS).isdisjoint(SPECIAL_STEPS)
    assert {*STEPS, *SPECIAL_STEPS} == set(StepName)


def test_every_environment_name_is_a_variable_the_lambda_parses_and_nothing_else_is() -> None:
    aliases = {field.alias for field in ShifterEnvironment.model_fields.values()}
    assert aliases == set(Env)
    assert all(name.startswith(ENV_PREFIX) for name in Env)  # `environment()` reads only those


def test_the_variables_the_stack_writes_parse_back_to_the_same_environment() -> None:
    written = variables(ENVIRONMENT)
    assert all(isinstance(value, str) for value in written.values())  # Lambda holds strings only
    with mock.patch.dict(os.environ, written, clear=True):
        environment.cache_clear()
        try:
            assert environment() == ENVIRONMENT
        finally:
            environment.cache_clear()


def test_the_cold_start_bench_runs_the_lambda_with_an_environment_it_parses() -> None:
    # bench/cold_start_child.py imports only the standard library before its timed import, so it
    # spells the names out; this keeps them the contract's.
    written = {name: value for name, value in COLD_START_ENVIRONMENT.items() if name.startswith(ENV_PREFIX)}
    assert ShifterEnvironment.model_validate(written).service_name == "demo"


def test_an_unset_optional_variable_is_written_empty_and_read_as_none() -> None:
    built = ENVIRONMENT.model_copy(update={"test_token_secret_arn": None, "stickiness_seconds": None})
    written = variables(ShifterEnvironment.model_validate(built.model_dump(by_alias=True)))
    assert written[Env.TEST_TOKEN_SECRET_ARN] == written[Env.STICKINESS_SECONDS] == ""
    assert ShifterEnvironment.model_validate(written).test_token_secret_arn is None


def test_every_lock_attribute_is_a_field_of_the_lock_the_readers_return() -> None:
    fields = set(Lock.__dataclass_fields__)
    assert set(LockAttribute) <= fields, set(LockAttribute) - fields


def test_powertools_parses_the_execution_input_union() -> None:
    # The discriminated union is a model Powertools' parser accepts (multiple-model parsing).
    # Its stubs type `model` as a class; at run time it takes any type pydantic's TypeAdapter takes.
    parsed = parse(event={"action": "switch", "to": "green"}, model=ExecutionInput)  # type: ignore[call-overload]
    assert parsed == SwitchInput(action="switch", to="green")


@pytest.mark.parametrize(
    ("image", "deployable"),
    [
        ("app:v1", True),
        (f"app{DIGEST}", True),
        (f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:v2{DIGEST}", True),
        ("localhost:5000/app:v1", True),
        ("public.ecr.aws/nginx/nginx", False),  # a bare repository: whatever `latest` is when ECS pulls
        ("app", False),
    ],
)
def test_a_stack_image_may_be_a_bare_repository_a_deployed_one_may_not(image: str, deployable: bool) -> None:
    assert ECS_IMAGE_REFERENCE.fullmatch(image)
    assert bool(IMAGE_REFERENCE.fullmatch(image)) is deployable


@pytest.mark.parametrize("image", ["App:v1", "app:", "app:v1 ", "app@sha256:abc", ":v1"])
def test_neither_image_pattern_accepts_what_ecs_would_refuse(image: str) -> None:
    assert not ECS_IMAGE_REFERENCE.fullmatch(image)
    assert not IMAGE_REFERENCE.fullmatch(image)
