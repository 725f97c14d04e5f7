"""What CloudFormation would do with a changed template on an existing stack, on local AWS.

moto cannot show it: its update_stack resolves no dynamic reference, does not re-read
SSM parameters and loses a task definition's image. So this module does CloudFormation's
part by hand, following its documented rules:

* a resource is updated only when its template properties change, or when a property
  refers (Ref / Fn::GetAtt) to a resource that is replaced, whose physical id changes;
* every property of an AWS::ECS::TaskDefinition requires replacement: CloudFormation
  registers a new revision, updates the resources that refer to it, then deletes the old
  one (here retained: UpdateReplacePolicy Retain);
* when it updates a resource it sends ALL the template's properties, with intrinsics
  resolved to the stack's physical values and every `{{resolve:ssm:name}}` resolved to
  the parameter's latest value at that moment;
* a custom resource receives an Update request with its new properties; an
  AwsCustomResource makes only the SDK call its `Update` property declares (none: no call)
  and keeps its physical id when that call names none, so no Delete of the old one follows.

The values are resolved against the LOCAL stack (created from the local synthesis, whose
logical ids are the normal template's except the live-state seeds), the parameters against
local SSM. The Ref of a seed is its physical id: the parameter name its Create call gives.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cutover.local.runtime import LocalCutover
from tests.synth import seed_call

# CloudFormation resource reference, "Update requires: Replacement" on every property.
REPLACED_ON_ANY_CHANGE = frozenset({"AWS::ECS::TaskDefinition"})
DYNAMIC_SSM = re.compile(r"\{\{resolve:ssm:(?P<name>[^:}]+)(?::(?P<version>\d+))?\}\}")
SEED_TYPE = "Custom::AWS"


@dataclass(frozen=True)
class Update:
    logical_id: str
    resource_type: str
    reason: str  # "properties" (the template changed) or "refers to <replaced id>"
    replacement: bool


def references(value: Any) -> Iterator[str]:
    """Logical ids a template value refers to through Ref and Fn::GetAtt."""
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            yield value["Ref"]
            return
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            yield target[0] if isinstance(target, list) else str(target).split(".", 1)[0]
            return
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def change_set(baseline: dict[str, Any], changed: dict[str, Any]) -> dict[str, Update]:
    """The resources CloudFormation would update when `changed` replaces `baseline`."""
    old, new = baseline["Resources"], changed["Resources"]
    updates: dict[str, Update] = {}
    for logical_id, resource in new.items():
        before = old.get(logical_id)
        if before is not None and before.get("Properties") != resource.get("Properties"):
            replacement = resource["Type"] in REPLACED_ON_ANY_CHANGE
            updates[logical_id] = Update(logical_id, resource["Type"], "properties", replacement)
    replaced = [u.logical_id for u in updates.values() if u.replacement]
    while replaced:
        target = replaced.pop()
        for logical_id, resource in new.items():
            if logical_id in updates or target not in set(references(resource.get("Properties", {}))):
                continue
            replacement = resource["Type"] in REPLACED_ON_ANY_CHANGE
            updates[logical_id] = Update(logical_id, resource["Type"], f"refers to {target}", replacement)
            if replacement:
                replaced.append(logical_id)
    return updates


def added_and_removed(baseline: dict[str, Any], changed: dict[str, Any]) -> tuple[set[str], set[str]]:
    old, new = set(baseline["Resources"]), set(changed["Resources"])
    return new - old, old - new


def dynamic_reference_seed(value: Any) -> str | None:
    """The seed's logical id if `value` is `{{resolve:ssm:<Ref seed>}}` as CDK renders it."""
    if not (isinstance(value, dict) and set(value) == {"Fn::Join"}):
        return None
    separator, parts = value["Fn::Join"]
    if separator != "" or len(parts) != 3:
        return None
    head, ref, tail = parts
    if (head, tail) != ("{{resolve:ssm:", "}}") or not (isinstance(ref, dict) and set(ref) == {"Ref"}):
        return None
    seed: str = ref["Ref"]
    return seed


def seed_value_expression(seed: dict[str, Any]) -> Any:
    """The template expression a seed writes as the parameter's first value (a literal, or
    e.g. the Ref of the template task definition): what a naive template would declare."""
    create = seed["Properties"]["Create"]
    if isinstance(create, str):
        return json.loads(create)["parameters"]["Value"]
    separator, parts = create["Fn::Join"]
    tokens = [part for part in parts if not isinstance(part, str)]
    rendered = separator.join(part if isinstance(part, str) else f"__token_{tokens.index(part)}__" for part in parts)
    value: str = json.loads(rendered)["parameters"]["Value"]
    match = re.fullmatch(r"__token_(\d+)__", value)
    return tokens[int(match.group(1))] if match else value


def declared_instead(template: dict[str, Any], value: Any) -> Any:
    """`value` as a naive template would declare it: every live-state dynamic reference
    replaced by the seed's value (Weight 100 / 0, DesiredCount 2 / 0, the template revision)."""
    seed_id = dynamic_reference_seed(value)
    if seed_id is not None:
        return seed_value_expression(template["Resources"][seed_id])
    if isinstance(value, dict):
        return {key: declared_instead(template, item) for key, item in value.items()}
    if isinstance(value, list):
        return [declared_instead(template, item) for item in value]
    return value


class LocalResolver:
    """Resolves a normal template's values as CloudFormation would on update, against the
    local stack (physical ids by logical id) and local SSM (the parameters' latest values)."""

    def __init__(self, cutover: LocalCutover, template: dict[str, Any]) -> None:
        self.cutover = cutover
        self.template = template
        paginator = cutover.client("cloudformation").get_paginator("list_stack_resources")
        self.physical: dict[str, str] = {
            summary["LogicalResourceId"]: summary["PhysicalResourceId"]
            for page in paginator.paginate(StackName=cutover.stack.name)
            for summary in page["StackResourceSummaries"]
        }
        self.pseudo = {
            "AWS::AccountId": cutover.account,
            "AWS::Region": cutover.region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": cutover.stack.name,
        }
        self.ssm_reads: list[str] = []

    def replaced(self, logical_id: str, physical_id: str) -> None:
        """CloudFormation creates the replacement first, then dependents see its new id."""
        self.physical[logical_id] = physical_id

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, str):
            return DYNAMIC_SSM.sub(self._parameter, value)
        if not isinstance(value, dict):
            return value
        if len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::")):
            return self._intrinsic(value)
        return {key: self.resolve(item) for key, item in value.items()}

    def _intrinsic(self, value: dict[str, Any]) -> Any:
        ((function, argument),) = value.items()
        if function == "Ref":
            return self._ref(argument)
        if function == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
            return self._get_att(logical_id, attribute)
        if function == "Fn::Join":
            separator, parts = argument
            # Joined first, then the dynamic reference in the result is resolved.
            return self.resolve(separator.join(str(self.resolve(part)) for part in parts))
        raise NotImplementedError(f"intrinsic not modelled: {function}")

    def _parameter(self, match: re.Match[str]) -> str:
        if "{{resolve:" in match.group("name"):
            raise ValueError(match.group(0))
        name = match.group("name") + (f":{match.group('version')}" if match.group("version") else "")
        self.ssm_reads.append(name)
        value: str = self.cutover.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
        return value

    def _ref(self, logical_id: str) -> str:
        if logical_id in self.pseudo:
            return self.pseudo[logical_id]
        resource = self.template["Resources"].get(logical_id)
        if resource is not None and resource["Type"] == SEED_TYPE:
            # A custom resource's Ref is its physical id: the parameter name (Create call).
            name: str = seed_call(resource)["physicalResourceId"]["id"]
            return name
        if logical_id not in self.physical:
            raise KeyError(f"{logical_id} is not in the local stack")
        return self.physical[logical_id]

    def _get_att(self, logical_id: str, attribute: str) -> str:
        resource_type = self.template["Resources"][logical_id]["Type"]
        physical = self._ref(logical_id)
        if (resource_type, attribute) == ("AWS::IAM::Role", "Arn"):
            arn: str = self.cutover.client("iam").get_role(RoleName=physical)["Role"]["Arn"]
            return arn
        if (resource_type, attribute) == ("AWS::EC2::SecurityGroup", "GroupId"):
            return physical
        raise NotImplementedError(f"Fn::GetAtt {resource_type}.{attribute} not modelled")


# ---------------------------------------------------------------------- applying what CloudFormation sends
def _lower_first(key: str) -> str:
    return key[:1].lower() + key[1:]


def ecs_api(value: Any, *, free_form: bool = False) -> Any:
    """CloudFormation's ECS properties (PascalCase) as the ECS API's (camelCase) fields.
    Free-form maps (log options, docker labels) keep their keys."""
    if isinstance(value, list):
        return [ecs_api(item) for item in value]
    if not isinstance(value, dict):
        return value
    if free_form:
        return dict(value)
    return {
        _lower_first(key): ecs_api(item, free_form=key in {"Options", "DockerLabels"}) for key, item in value.items()
    }


def register_task_definition(cutover: LocalCutover, properties: dict[str, Any]) -> str:
    """What CloudFormation does to replace a task definition: RegisterTaskDefinition."""
    fields = ecs_api(properties)
    fields.pop("tags", None)
    arn: str = cutover.client("ecs").register_task_definition(**fields)["taskDefinition"]["taskDefinitionArn"]
    return arn


def update_service(cutover: LocalCutover, physical_id: str, properties: dict[str, Any]) -> None:
    """What CloudFormation sends in UpdateService for an AWS::ECS::Service (the updatable
    properties; integers are the schema's types, resolved strings converted)."""
    cutover.client("ecs").update_service(
        cluster=properties["Cluster"],
        service=physical_id,
        taskDefinition=properties["TaskDefinition"],
        desiredCount=int(properties["DesiredCount"]),
        deploymentConfiguration=ecs_api(properties["DeploymentConfiguration"]),
        healthCheckGracePeriodSeconds=int(properties["HealthCheckGracePeriodSeconds"]),
        networkConfiguration=ecs_api(properties["NetworkConfiguration"]),
        enableExecuteCommand=properties["EnableExecuteCommand"],
    )


def listener_actions(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """The listener's DefaultActions with the schema's integers (weights, durations)."""
    actions = copy.deepcopy(properties["DefaultActions"])
    for action in actions:
        forward = action.get("ForwardConfig", {})
        for group in forward.get("TargetGroups", []):
            group["Weight"] = int(group["Weight"])
        stickiness = forward.get("TargetGroupStickinessConfig")
        if stickiness and "DurationSeconds" in stickiness:
            stickiness["DurationSeconds"] = int(stickiness["DurationSeconds"])
    return list(actions)


def modify_listener(cutover: LocalCutover, physical_id: str, properties: dict[str, Any]) -> None:
    cutover.client("elbv2").modify_listener(
        ListenerArn=physical_id,
        Port=int(properties["Port"]),
        Protocol=properties["Protocol"],
        DefaultActions=listener_actions(properties),
    )


def modify_target_group(cutover: LocalCutover, physical_id: str, properties: dict[str, Any]) -> None:
    elbv2 = cutover.client("elbv2")
    elbv2.modify_target_group(
        TargetGroupArn=physical_id,
        HealthCheckPath=properties["HealthCheckPath"],
        HealthCheckIntervalSeconds=int(properties["HealthCheckIntervalSeconds"]),
        HealthCheckTimeoutSeconds=int(properties["HealthCheckTimeoutSeconds"]),
        HealthyThresholdCount=int(properties["HealthyThresholdCount"]),
        UnhealthyThresholdCount=int(properties["UnhealthyThresholdCount"]),
        Matcher=properties["Matcher"],
    )
    elbv2.modify_target_group_attributes(
        TargetGroupArn=physical_id,
        Attributes=[{"Key": a["Key"], "Value": str(a["Value"])} for a in properties["TargetGroupAttributes"]],
    )


def update_function_environment(
    cutover: LocalCutover,
    physical_id: str,
    variables: dict[str, Any],
) -> None:
    """UpdateFunctionConfiguration with the given resolved variables over the current ones."""
    lam = cutover.client("lambda")
    current = lam.get_function_configuration(FunctionName=physical_id)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=physical_id, Environment={"Variables": {**current, **variables}})
