"""User hook Lambdas for the hook tests (created in moto, invoked in-process like ours).

BEHAVIOUR sets how each hook answers: pass, fail ({"status": "FAILED", "reason": …}),
fail_without_reason ({"status": "FAILED"}), raise, or hang (longer than the configured hook
timeout)."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterable
from typing import Any

from cutover.local.runtime import LocalCutover

BEHAVIOUR: dict[str, str] = {"before_traffic": "pass", "after_traffic": "pass", "on_step": "pass"}
RECEIVED: list[dict[str, Any]] = []
HANG_SECONDS = 4.0


class MigrationCheckFailed(Exception):
    pass


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    RECEIVED.append(event)
    behaviour = BEHAVIOUR[event["hook"]]
    if behaviour == "fail":
        return {"status": "FAILED", "reason": "schema version 41 expected, found 40"}
    if behaviour == "fail_without_reason":
        return {"status": "FAILED"}
    if behaviour == "raise":
        raise MigrationCheckFailed("could not reach the database")
    if behaviour == "hang":
        time.sleep(HANG_SECONDS)
    return {"status": "SUCCEEDED"}


def create_hook_functions(local: LocalCutover, arns: Iterable[str]) -> None:
    """The user's hook functions in local AWS (their code is `handler` above, run in-process),
    each answering `pass` until a test sets BEHAVIOUR."""
    role = local.client("iam").create_role(RoleName="hook", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("placeholder.py", "")  # the in-process runtime imports the handler instead
    for arn in arns:
        local.client("lambda").create_function(
            FunctionName=arn.rsplit(":", 1)[1],
            Runtime="python3.13",
            Role=role,
            Handler="tests.workflow.hook_functions.handler",
            Code={"ZipFile": archive.getvalue()},
        )
    BEHAVIOUR.update(before_traffic="pass", after_traffic="pass", on_step="pass")
    RECEIVED.clear()
