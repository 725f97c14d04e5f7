"""User hook Lambdas for the hook tests (created in moto, invoked in-process like ours).

BEHAVIOUR sets how each hook answers: pass, fail ({"status": "FAILED", "reason": …}),
fail_without_reason ({"status": "FAILED"}), raise, or hang (longer than the configured hook
timeout)."""

from __future__ import annotations

import time
from typing import Any

BEHAVIOUR: dict[str, str] = {"before_traffic": "pass", "after_traffic": "pass"}
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
