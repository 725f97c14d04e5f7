"""What the EventBridge targets (alarm_event, execution_event) do before they react: parse the
event into its model and build the cold start's context, every metric under the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.parser import parse
from pydantic import BaseModel

from cutover.shifter.observability import use_service_dimension
from cutover.shifter.steps.context import Context, context

Change = TypeVar("Change", bound=BaseModel)


def react(
    event: dict[str, Any], model: type[Change], reaction: Callable[[Change, Context], dict[str, Any]]
) -> dict[str, Any]:
    change = parse(event=event, model=model)
    ctx = context()
    use_service_dimension(ctx.env.service_name)
    return reaction(change, ctx)
