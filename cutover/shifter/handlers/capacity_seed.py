"""Custom resource (CDK Provider framework): seed one side's autoscaling bounds once.

Create reads the side's recorded desired count and writes min/max-capacity from it
(logic/capacity_seed.py): a side with tasks keeps them, an idle side is pinned at 0..0,
whichever side is live. Update writes nothing (the shifter owns the bounds afterwards);
Delete removes both parameters. The Provider framework turns a raised exception into a
FAILED response, and CloudFormation rolls the operation back.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from cutover.shifter import ports
from cutover.shifter.adapters import aws_clients
from cutover.shifter.adapters.parameter_seeds import SsmParameterSeeds
from cutover.shifter.logic.capacity_seed import Bounds, seed_bounds
from cutover.shifter.observability import logger


class CapacitySeedProperties(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")  # ServiceToken comes along

    count_parameter: str = Field(alias="CountParameter")
    min_parameter: str = Field(alias="MinParameter")
    max_parameter: str = Field(alias="MaxParameter")
    # CloudFormation passes every property value as a string.
    minimum: int = Field(alias="Min", ge=1)
    maximum: int = Field(alias="Max", ge=1)


class CapacitySeedEvent(BaseModel):
    """The Provider framework's onEvent request (aws-cdk-lib custom-resources, Provider)."""

    model_config = ConfigDict(extra="ignore")

    RequestType: Literal["Create", "Update", "Delete"]
    ResourceProperties: CapacitySeedProperties
    PhysicalResourceId: str | None = None


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], lambda_context: LambdaContext) -> dict[str, Any]:
    return handle(event, SsmParameterSeeds(aws_clients.client("ssm")))


def handle(event: dict[str, Any], seeds: ports.ParameterSeeds) -> dict[str, Any]:
    request = parse(event=event, model=CapacitySeedEvent)
    properties = request.ResourceProperties
    physical_id = properties.min_parameter
    if request.RequestType == "Create":
        desired = seeds.read_int(properties.count_parameter)
        bounds = seed_bounds(desired, Bounds(properties.minimum, properties.maximum))
        seeds.create(properties.min_parameter, bounds.minimum)
        seeds.create(properties.max_parameter, bounds.maximum)
        logger.info("capacity seeded", extra={"desired": desired, "min": bounds.minimum, "max": bounds.maximum})
        return {"PhysicalResourceId": physical_id, "Data": {"Min": bounds.minimum, "Max": bounds.maximum}}
    if request.RequestType == "Delete":
        seeds.delete(properties.min_parameter)
        seeds.delete(properties.max_parameter)
    # Update: the same physical id, so CloudFormation deletes nothing and nothing is rewritten.
    return {"PhysicalResourceId": request.PhysicalResourceId or physical_id}
