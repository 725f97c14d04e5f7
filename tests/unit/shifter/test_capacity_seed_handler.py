"""The capacity-seed custom resource against SSM (moto), as the Provider framework calls it.

Faked: the Provider framework's onEvent request (its documented shape: RequestType,
ResourceProperties with string values as CloudFormation sends them, PhysicalResourceId on
Update/Delete) and the Lambda context. SSM is moto's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cutover.local.lambda_runtime import LambdaContext
from cutover.shifter.adapters import aws_clients, parameter_seeds
from cutover.shifter.handlers import capacity_seed
from tests.unit.shifter.fakes.aws import capacity_seed_request

PREFIX = "/cutover/demo/live/green"


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        aws_clients.reset()
        yield boto3.client("ssm", region_name="eu-west-1")
    aws_clients.reset()


def request(request_type: str, physical_id: str | None = None) -> dict[str, Any]:
    return capacity_seed_request(PREFIX, request_type, physical_id)


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    context: Any = LambdaContext("capacity-seed", "arn:aws:lambda:eu-west-1:123456789012:function:capacity-seed")
    result: dict[str, Any] = capacity_seed.handler(event, context)
    return result


def value(ssm: Any, name: str) -> str:
    found: str = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    return found


def test_create_seeds_a_live_side_with_the_configured_bounds(ssm: Any) -> None:
    ssm.put_parameter(Name=f"{PREFIX}/desired-count", Value="2", Type="String")
    result = invoke(request("Create"))
    assert result == {"PhysicalResourceId": f"{PREFIX}/min-capacity", "Data": {"Min": 2, "Max": 4}}
    assert (value(ssm, f"{PREFIX}/min-capacity"), value(ssm, f"{PREFIX}/max-capacity")) == ("2", "4")


def test_create_pins_an_idle_side_at_zero(ssm: Any) -> None:
    ssm.put_parameter(Name=f"{PREFIX}/desired-count", Value="0", Type="String")
    invoke(request("Create"))
    assert (value(ssm, f"{PREFIX}/min-capacity"), value(ssm, f"{PREFIX}/max-capacity")) == ("0", "0")


def test_create_refuses_a_stale_parameter(ssm: Any) -> None:
    ssm.put_parameter(Name=f"{PREFIX}/desired-count", Value="2", Type="String")
    ssm.put_parameter(Name=f"{PREFIX}/max-capacity", Value="0", Type="String")
    with pytest.raises(parameter_seeds.StaleParameter, match="max-capacity already exists"):
        invoke(request("Create"))
    assert value(ssm, f"{PREFIX}/max-capacity") == "0"


def test_update_rewrites_nothing_the_shifter_recorded(ssm: Any) -> None:
    ssm.put_parameter(Name=f"{PREFIX}/desired-count", Value="2", Type="String")
    invoke(request("Create"))
    ssm.put_parameter(Name=f"{PREFIX}/max-capacity", Value="9", Type="String", Overwrite=True)  # the shifter
    assert invoke(request("Update", f"{PREFIX}/min-capacity")) == {"PhysicalResourceId": f"{PREFIX}/min-capacity"}
    assert value(ssm, f"{PREFIX}/max-capacity") == "9"


def test_delete_removes_both_parameters_and_tolerates_missing_ones(ssm: Any) -> None:
    ssm.put_parameter(Name=f"{PREFIX}/desired-count", Value="2", Type="String")
    invoke(request("Create"))
    invoke(request("Delete", f"{PREFIX}/min-capacity"))
    invoke(request("Delete", f"{PREFIX}/min-capacity"))
    names = [p["Name"] for p in ssm.get_parameters_by_path(Path=PREFIX)["Parameters"]]
    assert names == [f"{PREFIX}/desired-count"]
