"""moto's CloudFormation creates a task definition without its ExecutionRoleArn and
TaskRoleArn (moto 5.2.5 `TaskDefinition.create_from_cloudformation_json` passes only the
family, containers, volumes and memory). On AWS the revision carries both roles, so the
shifter's copy of it passes both to RegisterTaskDefinition, and IAM checks iam:PassRole
for each: keep them, or local AWS would skip that check. Fakes nothing of Cutover's."""

from __future__ import annotations

from typing import Any

from moto.ecs import models as ecs_models

_PATCHED = "cutover_keeps_roles"


def apply() -> None:
    """Idempotent."""
    original = ecs_models.TaskDefinition.create_from_cloudformation_json
    if getattr(original, _PATCHED, False):
        return

    def create_from_cloudformation_json(
        cls: Any, /, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        task_definition = original.__func__(  # type: ignore[attr-defined]
            cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        properties = cloudformation_json["Properties"]
        for cfn_key, attribute in (("ExecutionRoleArn", "execution_role_arn"), ("TaskRoleArn", "task_role_arn")):
            if properties.get(cfn_key):
                setattr(task_definition, attribute, properties[cfn_key])
        return task_definition

    setattr(create_from_cloudformation_json, _PATCHED, True)
    ecs_models.TaskDefinition.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)  # type: ignore[method-assign,assignment]
