"""What local AWS knows that a request does not say, read from moto's in-process backends
(the same objects whether the calls come through mock_aws or the demo's moto server)."""

from __future__ import annotations

from dataclasses import dataclass

from moto.ecs import models as ecs_models
from moto.kms import models as kms_models
from moto.secretsmanager import models as secretsmanager_models
from moto.sns import models as sns_models
from moto.stepfunctions.parser import models as stepfunctions_parser_models


@dataclass(frozen=True)
class MotoLookups:
    account: str
    region: str

    def next_task_definition_revision(self, family: str) -> int:
        revisions = ecs_models.ecs_backends[self.account][self.region].task_definitions.get(family, {})
        return max(revisions, default=0) + 1

    def state_machine_of_task_token(self, token: str) -> str | None:
        """The state machine whose execution issued this task token, if one did."""
        backend = stepfunctions_parser_models.stepfunctions_parser_backends[self.account][self.region]
        for state_machine in backend.state_machines:
            for execution in state_machine.executions:
                worker = getattr(execution, "exec_worker", None)  # the parser backend's executions
                if worker is not None and worker.env.callback_pool_manager.get(token) is not None:
                    return str(state_machine.arn)
        return None

    def secret_arn(self, secret_id: str) -> str:
        if secret_id.startswith("arn:"):
            return secret_id
        backend = secretsmanager_models.secretsmanager_backends[self.account][self.region]
        return str(backend.secrets[secret_id].arn)

    def topic_key_arn(self, topic_arn: str) -> str | None:
        """The ARN of the KMS key an SSE topic encrypts with (KmsMasterKeyId may be a key
        id, a key ARN or an alias), or None for an unencrypted or unknown topic."""
        topic = sns_models.sns_backends[self.account][self.region].topics.get(topic_arn)
        key_id = str(getattr(topic, "kms_master_key_id", "") or "")
        if not key_id:
            return None
        if key_id.startswith("arn:") and ":alias/" not in key_id:
            return key_id
        key = kms_models.kms_backends[self.account][self.region].describe_key(key_id)
        return str(key.arn)
