"""What local AWS knows that a request does not say, read from moto's in-process backends
(the same objects whether the calls come through mock_aws or the demo's moto server)."""

from __future__ import annotations

from dataclasses import dataclass

from moto.ecs import models as ecs_models
from moto.secretsmanager import models as secretsmanager_models
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
