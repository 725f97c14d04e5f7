"""Which stack the CLI talks to, and its outputs (the names of everything it needs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

from cutover.cli.errors import NO_CREDENTIALS_MESSAGE, AwsError, NoCredentials, StackNotFound
from cutover.shifter.contract import Output

DEFAULT_STACK = "cutover-demo"
# What makes a stack a Cutover stack: the outputs every CutoverStack declares
# (cutover/cdk/cutover_stack.py) and the CLI reads. `status --all` recognises stacks by them.
MARKER_OUTPUTS = (
    Output.SERVICE_NAME,
    Output.STATE_MACHINE_ARN,
    Output.LIVE_STATE_PREFIX,
    Output.LISTENER_ARN,
    Output.TABLE_NAME,
)


def is_cutover_stack(outputs: dict[str, str]) -> bool:
    return all(key in outputs for key in MARKER_OUTPUTS)


@dataclass
class Target:
    stack: str = DEFAULT_STACK
    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            session = boto3.Session(profile_name=self.profile, region_name=self.region)
            try:
                self._clients[service] = session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]
            except NoRegionError:
                raise NoCredentials("no AWS region: pass --region or set CUTOVER_REGION or AWS_REGION") from None
        return self._clients[service]

    @cached_property
    def outputs(self) -> dict[str, str]:
        try:
            stacks = self.client("cloudformation").describe_stacks(StackName=self.stack)["Stacks"]
        except NoCredentialsError:
            raise NoCredentials(NO_CREDENTIALS_MESSAGE) from None
        except EndpointConnectionError as error:
            raise AwsError(f"cannot reach AWS at {error.kwargs.get('endpoint_url', 'the endpoint')}") from None
        except ClientError as error:
            message = error.response["Error"].get("Message", "")
            if "does not exist" in message:
                raise StackNotFound(
                    f"stack {self.stack} not found: deploy it (npx cdk deploy) or pass --stack NAME"
                ) from None
            raise AwsError(f"cannot read stack {self.stack}: {message}") from None
        return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}

    def output(self, key: str) -> str:
        if key not in self.outputs:
            raise StackNotFound(f"stack {self.stack} has no output {key}: is it a Cutover stack?")
        return self.outputs[key]

    @property
    def state_machine_arn(self) -> str:
        return self.output(Output.STATE_MACHINE_ARN)
