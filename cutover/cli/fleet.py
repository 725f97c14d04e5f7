"""Every Cutover stack in an account and region, read for `cutover status --all`."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from cutover.cli.errors import AwsError, CliError
from cutover.cli.target import Target, is_cutover_stack
from cutover.cli.views import ServiceView, service_view


@dataclass(frozen=True)
class StackRow:
    stack: str
    view: ServiceView | None  # None when the stack could not be read: `error` says why
    error: CliError | None = None


def region_of(target: Target) -> str:
    region: str = target.client("cloudformation").meta.region_name
    return region


def cutover_stack_outputs(target: Target) -> dict[str, dict[str, str]]:
    """Stack name → outputs, for every stack whose outputs mark it as a Cutover stack.

    DescribeStacks without a StackName describes every stack of the account in the region
    (deleted ones excluded) and is paginated by NextToken (CloudFormation API reference,
    DescribeStacks): read every page."""
    found: dict[str, dict[str, str]] = {}
    for page in target.client("cloudformation").get_paginator("describe_stacks").paginate():
        for stack in page["Stacks"]:
            outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
            if is_cutover_stack(outputs):
                found[stack["StackName"]] = outputs
    return dict(sorted(found.items()))


def fleet(target: Target) -> list[StackRow]:
    """One row per Cutover stack; a stack that cannot be read is a row with its error, not a failure."""
    rows = []
    for name, outputs in cutover_stack_outputs(target).items():
        member = Target(
            stack=name,
            region=target.region,
            endpoint_url=target.endpoint_url,
            profile=target.profile,
            _clients=target._clients,  # same account and region: share the clients
        )
        member.outputs = outputs  # already read: no second DescribeStacks per stack
        try:
            rows.append(StackRow(stack=name, view=service_view(member)))
        except CliError as error:
            rows.append(StackRow(stack=name, view=None, error=error))
        except (ClientError, BotoCoreError) as error:
            rows.append(StackRow(stack=name, view=None, error=AwsError(f"AWS said: {error}")))
    return rows
