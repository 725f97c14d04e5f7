"""A re-created stack refuses live-state parameters it did not create.

A parameter can outlive its stack (a delete that failed, or a stack deleted while its seed's
delete call could not run). Adopting it would create the listener with, say, green at 100 %
while green's service is new and has no task. The seeds therefore fail on
ParameterAlreadyExists, and the stack's create rolls back naming the parameter.

What is faked, and why: moto cannot run the AwsCustomResource provider (a Lambda-backed
custom resource). `run_create` does what that provider does on Create, as the aws-cdk-lib
custom-resources documentation describes it: it makes the declared SDK call, and an error
whose code matches `ignoreErrorCodesMatching` counts as success; any other error fails the
resource. The SSM behaviour is moto's: PutParameter with Overwrite false on an existing name
raises ParameterAlreadyExists, as SSM does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.synth import resources_of_type, seed_call, synth

REGION = "eu-west-1"


class SeedFailed(Exception):
    """The custom resource reports FAILED: CloudFormation rolls the stack create back."""


def run_create(ssm: Any, seed: dict[str, Any]) -> None:
    call = seed_call(seed)
    assert (call["service"], call["action"]) == ("SSM", "putParameter")
    parameters = dict(call["parameters"])
    if parameters["Value"] == "<token>":  # a task-definition ARN CloudFormation would resolve
        parameters["Value"] = "arn:aws:ecs:eu-west-1:123456789012:task-definition/demo-blue:1"
    try:
        ssm.put_parameter(**parameters)
    except ClientError as error:
        ignored = call.get("ignoreErrorCodesMatching")
        if ignored and re.search(ignored, error.response["Error"]["Code"]):
            return
        raise SeedFailed(f"{parameters['Name']}: {error.response['Error']['Code']}") from None


@pytest.fixture
def ssm() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION)


def seeds() -> list[dict[str, Any]]:
    return list(resources_of_type(synth()["cutover-demo"], "Custom::AWS").values())


def test_a_fresh_stack_seeds_every_parameter(ssm: Any) -> None:
    for seed in seeds():
        run_create(ssm, seed)
    assert ssm.get_parameter(Name="/cutover/demo/live/blue/weight")["Parameter"]["Value"] == "100"
    assert ssm.get_parameter(Name="/cutover/demo/live/green/weight")["Parameter"]["Value"] == "0"


def test_a_stale_parameter_fails_the_create_instead_of_being_adopted(ssm: Any) -> None:
    # Left by an earlier cutover-demo whose delete failed: green was live then.
    ssm.put_parameter(Name="/cutover/demo/live/green/weight", Value="100", Type="String")
    failed = []
    for seed in seeds():
        try:
            run_create(ssm, seed)
        except SeedFailed as error:
            failed.append(str(error))
    assert failed == ["/cutover/demo/live/green/weight: ParameterAlreadyExists"]
    # Nothing read the stale value: the create rolls back before the listener is created
    # (the listener's weights are dynamic references built from the seeds' Refs).
    assert ssm.get_parameter(Name="/cutover/demo/live/green/weight")["Parameter"]["Value"] == "100"
