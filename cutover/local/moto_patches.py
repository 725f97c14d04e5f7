"""Patches to moto's internals that make it behave like AWS where Cutover depends on it.

moto is pinned (requirements-dev.txt) because these reach into its internals;
tests/local/test_moto_patches.py checks each patch still applies and still matters.
Each patch fakes only what AWS does, never Cutover's own behaviour.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from moto.cloudformation import parsing as cloudformation_parsing
from moto.cloudwatch.models import cloudwatch_backends
from moto.core.common_models import CloudFormationModel
from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import InvalidActionTypeError
from moto.secretsmanager.models import secretsmanager_backends

from cutover.local import aws_limits, execution_history_pages, metric_data_limits, metric_percentiles, moto_speedups


def _convert_listener_actions(self: Any, properties: dict[str, Any]) -> list[dict[str, Any]]:
    """CloudFormation's Listener handler in moto requires a top-level TargetGroupArn in a
    forward action and raises KeyError on a weighted ForwardConfig, which AWS accepts.
    Keep the whole action, as moto's own ListenerRule handler already does."""
    actions = []
    for index, action in enumerate(properties["DefaultActions"]):
        action_type = action["Type"]
        if action_type == "forward" and "ForwardConfig" not in action:
            actions.append({"Type": action_type, "TargetGroupArn": action["TargetGroupArn"]})
        elif action_type in elbv2_models.ALLOWED_ACTIONS:
            actions.append(action)
        else:
            raise InvalidActionTypeError(action_type, index + 1)
    return actions


def _arn_suffix(arn: str) -> str:
    """AWS defines the *FullName attributes as the ARN's resource part after
    `loadbalancer/` or the `targetgroup/…` part: app/<name>/<id>, targetgroup/<name>/<id>."""
    resource = arn.split(":", 5)[5]
    return resource.removeprefix("loadbalancer/")


def _target_group_attribute(self: Any, attribute_name: str) -> Any:
    """moto's FakeTargetGroup implements no Fn::GetAtt; CloudWatch alarm dimensions need these."""
    if attribute_name == "TargetGroupFullName":
        return _arn_suffix(self.arn)
    if attribute_name == "TargetGroupName":
        return self.name
    if attribute_name == "TargetGroupArn":
        return self.arn
    if attribute_name == "LoadBalancerArns":
        return list(self.load_balancer_arns)
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    raise UnformattedGetAttTemplateException()


_original_load_balancer_attribute = elbv2_models.FakeLoadBalancer.get_cfn_attribute


def _load_balancer_attribute(self: Any, attribute_name: str) -> Any:
    if attribute_name == "LoadBalancerFullName":
        return _arn_suffix(self.arn)
    if attribute_name == "CanonicalHostedZoneID":
        return "Z32O12XQLNTSW2"  # the ALB hosted zone of eu-west-1; any fixed id serves locally
    return _original_load_balancer_attribute(self, attribute_name)


class _NoUpdate:
    """A resource moto's CloudFormation creates through the service's backend once, and whose one
    attribute is its ARN."""

    def __init__(self, physical_resource_id: str, arn: str) -> None:
        self.physical_resource_id = physical_resource_id
        self.arn = arn

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, *args: Any, **kwargs: Any) -> Any:
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, *args: Any, **kwargs: Any) -> None:
        return None

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def is_created(self) -> bool:
        return True

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return self.arn


class CloudWatchAlarmResource(_NoUpdate, CloudFormationModel):
    """moto's CloudFormation skips AWS::CloudWatch::Alarm (warns "No Moto CloudFormation
    support"). Create the alarm through moto's CloudWatch backend, as CloudFormation would."""

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> CloudWatchAlarmResource:
        properties = cloudformation_json["Properties"]
        name = properties.get("AlarmName", resource_name)
        statistic = properties.get("Statistic")
        extended = properties.get("ExtendedStatistic")
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=name,
            namespace=properties["Namespace"],
            metric_name=properties["MetricName"],
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            period=int(properties["Period"]),
            threshold=float(properties["Threshold"]),
            statistic=statistic,
            extended_statistic=extended,
            description=properties.get("AlarmDescription", ""),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in properties.get("Dimensions", [])],
            alarm_actions=properties.get("AlarmActions", []),
            ok_actions=properties.get("OKActions", []),
            treat_missing_data=properties.get("TreatMissingData"),
            datapoints_to_alarm=properties.get("DatapointsToAlarm"),
        )
        return cls(name, alarm.alarm_arn)


class SecretResource(_NoUpdate, CloudFormationModel):
    """moto's CloudFormation skips AWS::SecretsManager::Secret. Create it through moto's
    Secrets Manager backend; Ref returns the ARN, as on AWS."""

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SecretsManager::Secret"

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> SecretResource:
        properties = cloudformation_json["Properties"]
        if "SecretString" not in properties:
            raise ValueError(f"{resource_name}: the local template must give SecretString (no generation in moto)")
        created = secretsmanager_backends[account_id][region_name].create_secret(
            name=properties.get("Name", resource_name),
            secret_string=properties["SecretString"],
            secret_binary=None,
            description=properties.get("Description"),
            tags=None,
            kms_key_id=None,
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        arn = json.loads(created)["ARN"]
        return cls(arn, arn)


def _send_task_failure(self: Any) -> Any:
    """moto's SendTaskFailure drops `cause` (its backend accepts it); AWS delivers it."""
    from moto.core.responses import EmptyResult

    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return EmptyResult()


def _create_state_machine(
    cls: Any,
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    """moto's CloudFormation creates state machines in its plain Step Functions backend even
    when its interpreter (execute_state_machine) serves the API, so StartExecution cannot
    find them. Create them where the API looks."""
    from moto.stepfunctions.responses import get_backend
    from moto.stepfunctions.utils import cfn_to_api_tags

    properties = cloudformation_json["Properties"]
    return get_backend(account_id, region_name).create_state_machine(
        properties.get("StateMachineName", resource_name),
        properties.get("DefinitionString", ""),
        properties.get("RoleArn", ""),
        tags=cfn_to_api_tags(properties.get("Tags", [])),
    )


_dynamodb_writes = threading.RLock()


def _serialize_dynamodb_writes() -> None:
    """DynamoDB applies a conditional write atomically per item; moto checks the condition
    and writes in two steps, so two threads (two executions running at once) can both pass
    the same condition. Serialize moto's writes, as AWS guarantees."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in ("put_item", "update_item", "delete_item"):
        original = getattr(DynamoDBBackend, name)

        def serialized(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with _dynamodb_writes:
                return _original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, serialized)

    # Reads too, with their answer's serialization: DynamoDB "provides read-committed isolation and
    # ensures that read operations always return committed values for an item" (Developer Guide,
    # read consistency). moto's handler turns the item into JSON after the backend returned it, so a
    # GetItem answered while another thread's UpdateItem added an attribute raised "dictionary
    # changed size during iteration" in the bake's check (a clean-clone `make test`, 2026-12-04:
    # register_bake_token's write against check_bake's read, the final wait's two branches).
    from moto.dynamodb.responses import DynamoHandler

    original_call = DynamoHandler.call_action

    def serialized_call(self: Any, _original: Any = original_call) -> Any:
        with _dynamodb_writes:
            return _original(self)

    setattr(DynamoHandler, "call_action", serialized_call)  # noqa: B010


_original_target_group_from_cfn = elbv2_models.FakeTargetGroup.create_from_cloudformation_json


def _target_group_from_cfn(
    cls: Any,
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    """moto's CloudFormation drops a target group's TargetGroupAttributes (the deregistration
    delay among them: moto then reports its default 300 s); CloudFormation applies them."""
    group = _original_target_group_from_cfn(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    for attribute in cloudformation_json["Properties"].get("TargetGroupAttributes", []):
        group.attributes[attribute["Key"]] = attribute["Value"]
    return group


def _register_models() -> None:
    # moto caches its type → model map; new subclasses appear only after a cache clear.
    cloudformation_parsing.get_model_list.cache_clear()
    cloudformation_parsing.get_model_map.cache_clear()
    cloudformation_parsing.get_name_type_map.cache_clear()


def apply() -> None:
    """Idempotent: safe to call from every test and from the demo."""
    if elbv2_models.ELBv2Backend.convert_and_validate_properties is _convert_listener_actions:
        return
    elbv2_models.ELBv2Backend.convert_and_validate_properties = _convert_listener_actions  # type: ignore[method-assign]
    elbv2_models.FakeTargetGroup.get_cfn_attribute = _target_group_attribute  # type: ignore[attr-defined]
    elbv2_models.FakeLoadBalancer.get_cfn_attribute = _load_balancer_attribute  # type: ignore[method-assign]
    setattr(elbv2_models.FakeTargetGroup, "create_from_cloudformation_json", classmethod(_target_group_from_cfn))  # noqa: B010
    _register_models()
    _serialize_dynamodb_writes()
    aws_limits.apply()
    metric_data_limits.apply()
    metric_percentiles.apply()
    moto_speedups.apply()
    execution_history_pages.apply()
    from moto.stepfunctions.responses import StepFunctionResponse

    StepFunctionResponse.send_task_failure = _send_task_failure  # type: ignore[method-assign]
    from moto.stepfunctions.models import StateMachine

    setattr(StateMachine, "create_from_cloudformation_json", classmethod(_create_state_machine))  # noqa: B010
