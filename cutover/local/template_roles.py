"""The policy documents of a role, as the synthesized template defines them, with every
intrinsic resolved to the names and ARNs local AWS created.

A role's identity-based policies are its inline `Policies`, every `AWS::IAM::Policy` and
`AWS::IAM::ManagedPolicy` resource that names it in `Roles`, and its `ManagedPolicyArns`
(customer managed ones from the template, AWS managed ones from aws_managed_policies).
Anything this module cannot resolve raises UnresolvableTemplate: a policy that silently
lost a statement would deny (or, for a Deny, allow) what AWS would not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cutover.local.aws_managed_policies import AWS_MANAGED_POLICIES, managed_policy_name


class UnresolvableTemplate(ValueError):
    pass


# Fn::GetAtt <logical>.Arn (and the few other attributes our policies use), built from the
# physical id the way CloudFormation documents each type's return values
# (AWSCloudFormation/latest/TemplateReference/aws-resource-<type>.html#aws-resource-<type>-return-values).
ArnBuilder = Callable[[str, "StackResolver"], str]
_ATTRIBUTES: dict[tuple[str, str], ArnBuilder] = {
    ("AWS::IAM::Role", "Arn"): lambda name, r: f"arn:aws:iam::{r.account}:role/{name}",
    ("AWS::DynamoDB::Table", "Arn"): lambda name, r: f"arn:aws:dynamodb:{r.region}:{r.account}:table/{name}",
    # "Arn: arn:aws:logs:us-west-1:123456789012:log-group:/mystack-testgroup-12ABC1AB12A1:*"
    ("AWS::Logs::LogGroup", "Arn"): lambda name, r: f"arn:aws:logs:{r.region}:{r.account}:log-group:{name}:*",
    ("AWS::KMS::Key", "Arn"): lambda key_id, r: f"arn:aws:kms:{r.region}:{r.account}:key/{key_id}",
    ("AWS::Lambda::Function", "Arn"): lambda name, r: f"arn:aws:lambda:{r.region}:{r.account}:function:{name}",
    ("AWS::SQS::Queue", "Arn"): lambda url, r: f"arn:aws:sqs:{r.region}:{r.account}:{url.rsplit('/', 1)[-1]}",
    ("AWS::ECS::Cluster", "Arn"): lambda name, r: f"arn:aws:ecs:{r.region}:{r.account}:cluster/{name}",
    ("AWS::ECS::Service", "Name"): lambda arn, r: arn.rsplit("/", 1)[-1],
    ("AWS::ECS::Service", "ServiceArn"): lambda arn, r: arn,
    ("AWS::ECR::Repository", "Arn"): lambda name, r: f"arn:aws:ecr:{r.region}:{r.account}:repository/{name}",
    ("AWS::SNS::Topic", "TopicArn"): lambda arn, r: arn,
    ("AWS::StepFunctions::StateMachine", "Arn"): lambda arn, r: arn,
    ("AWS::SecretsManager::Secret", "Id"): lambda arn, r: arn,
    ("AWS::ElasticLoadBalancingV2::Listener", "ListenerArn"): lambda arn, r: arn,
    ("AWS::ElasticLoadBalancingV2::ListenerRule", "RuleArn"): lambda arn, r: arn,
}
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class StackResolver:
    """Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split and the pseudo
    parameters against one created stack."""

    template: Mapping[str, Any]
    physical_ids: Mapping[str, str]  # logical id -> PhysicalResourceId (describe_stack_resources)
    account: str
    region: str
    stack_name: str
    partition: str = "aws"

    @classmethod
    def from_stack(cls, template: Mapping[str, Any], cloudformation: Any, stack_name: str) -> StackResolver:
        stack_id: str = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackId"]
        _, partition, _, region, account, _ = stack_id.split(":", 5)
        resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
        physical = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in resources
            if r.get("LogicalResourceId") and r.get("PhysicalResourceId")
        }
        return cls(template, physical, account, region, stack_name, partition)

    @property
    def resources(self) -> Mapping[str, Any]:
        resources: Mapping[str, Any] = self.template["Resources"]
        return resources

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (function, argument), *_ = value.items()
            handler = self._functions().get(function)
            if handler is not None:
                return handler(argument)
            if function.startswith("Fn::"):
                raise UnresolvableTemplate(f"{function} is not resolved locally")
        return {key: self.resolve(item) for key, item in value.items()}

    def _functions(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self.ref,
            "Fn::GetAtt": lambda a: self.get_att(*(a.split(".", 1) if isinstance(a, str) else a)),
            "Fn::Join": lambda a: str(self.resolve(a[0])).join(str(p) for p in self.resolve(a[1])),
            "Fn::Sub": self._sub,
            "Fn::Select": lambda a: self.resolve(a[1])[int(self.resolve(a[0]))],
            "Fn::Split": lambda a: str(self.resolve(a[1])).split(str(self.resolve(a[0]))),
        }

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack_name,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.physical_ids:
            return self.physical_ids[name]
        raise UnresolvableTemplate(f"Ref {name}: not a pseudo parameter nor a resource local AWS created")

    def get_att(self, logical_id: str, attribute: str) -> str:
        resource = self.resources.get(logical_id)
        if resource is None:
            raise UnresolvableTemplate(f"Fn::GetAtt {logical_id}.{attribute}: no such resource")
        builder = _ATTRIBUTES.get((resource["Type"], attribute))
        if builder is None:
            raise UnresolvableTemplate(f"Fn::GetAtt {resource['Type']}.{attribute} is not resolved locally")
        return builder(self.ref(logical_id), self)

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        resolved = {key: self.resolve(value) for key, value in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in resolved:
                return str(resolved[name])
            if "." in name:
                return self.get_att(*name.split(".", 1))
            return self.ref(name)

        return _SUB_VARIABLE.sub(substitute, text).replace("${!", "${")


def role_policies(template: Mapping[str, Any], role_logical_id: str, resolver: StackResolver) -> list[dict[str, Any]]:
    """Every identity-based policy document of the role, resolved."""
    resources: Mapping[str, Any] = template["Resources"]
    role = resources.get(role_logical_id)
    if role is None or role["Type"] != "AWS::IAM::Role":
        raise UnresolvableTemplate(f"{role_logical_id} is not an AWS::IAM::Role in the template")
    properties = role.get("Properties", {})
    documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
    role_name = resolver.ref(role_logical_id)
    for resource in resources.values():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        attached = [_role_name(r, resolver) for r in resource.get("Properties", {}).get("Roles", [])]
        if role_name in attached:
            documents.append(resource["Properties"]["PolicyDocument"])
    for arn in resolver.resolve(properties.get("ManagedPolicyArns", [])):
        documents.append(_managed_policy(str(arn), resources, resolver))
    resolved: list[dict[str, Any]] = [resolver.resolve(document) for document in documents]
    return resolved


def _role_name(reference: Any, resolver: StackResolver) -> str:
    """`Roles` takes role names (a Ref); an ARN here would be a template error on AWS too."""
    return str(resolver.resolve(reference))


def _managed_policy(arn: str, resources: Mapping[str, Any], resolver: StackResolver) -> dict[str, Any]:
    aws_name = managed_policy_name(arn)
    if aws_name is not None:
        if aws_name not in AWS_MANAGED_POLICIES:
            raise UnresolvableTemplate(
                f"AWS managed policy {aws_name}: copy its document into cutover/local/aws_managed_policies.py"
            )
        return AWS_MANAGED_POLICIES[aws_name]
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::IAM::ManagedPolicy" and resolver.physical_ids.get(logical_id) == arn:
            document: dict[str, Any] = resource["Properties"]["PolicyDocument"]
            return document
    raise UnresolvableTemplate(f"managed policy {arn} is neither AWS managed nor in the template")


@dataclass(frozen=True)
class FunctionIdentity:
    """What a Lambda function's calls are signed as: its role, and that role's policies."""

    function_name: str
    role_name: str
    role_arn: str
    policies: list[dict[str, Any]]


def function_identities(template: Mapping[str, Any], resolver: StackResolver) -> dict[str, FunctionIdentity]:
    """Function name (as local AWS named it) -> the identity its code runs as."""
    identities: dict[str, FunctionIdentity] = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        role = resource["Properties"]["Role"]
        role_logical_id = _role_logical_id(role)
        function_name = resolver.ref(logical_id)
        identities[function_name] = FunctionIdentity(
            function_name=function_name,
            role_name=resolver.ref(role_logical_id),
            role_arn=resolver.get_att(role_logical_id, "Arn"),
            policies=role_policies(template, role_logical_id, resolver),
        )
    return identities


def _role_logical_id(role: Any) -> str:
    if isinstance(role, dict) and "Fn::GetAtt" in role:
        attribute = role["Fn::GetAtt"]
        logical_id, _ = attribute.split(".", 1) if isinstance(attribute, str) else attribute
        return str(logical_id)
    raise UnresolvableTemplate(f"a function's Role must be Fn::GetAtt of a role in the template, not {role!r}")
