"""Hook functions on local AWS: a Lambda function whose invocation runs a Python callable here.

A user's hook is their own Lambda function; on local AWS `create_local_function` creates one in
moto (a placeholder package, a role of its own) and registers the callable under its name. Every
such function's handler is `dispatch` below, which the in-process runtime (lambda_runtime) calls
with the function's context, so the registered callable runs in this process, sees the event the
state machine sent, and its answer, exception or hang is what the state machine gets back.

The hook has no role in the stack's template, so local IAM cannot check AWS calls made in its
invocation (iam_enforcement refuses them): a hook here does local work (a file, a dict) or hands
AWS reads to another thread.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cutover.local.runtime import LocalCutover

# A hook may answer any JSON value (or nothing): the state machine judges it (docs/workflow.md).
HookHandler = Callable[[dict[str, Any], Any], object]
HOOK_ROLE = "cutover-local-hook"
RUNTIME = "python3.13"

_handlers: dict[str, HookHandler] = {}
_lock = threading.Lock()


class UnknownHookFunction(LookupError):
    """A function names `dispatch` as its handler but no callable is registered for it."""


def dispatch(event: dict[str, Any], context: Any) -> object:
    """The Lambda handler of every local hook function: runs the callable registered for it."""
    with _lock:
        run = _handlers.get(context.function_name)
    if run is None:
        raise UnknownHookFunction(f"no local handler for {context.function_name}")
    return run(event, context)


def function_name(arn_or_name: str) -> str:
    return arn_or_name.rsplit(":", 1)[-1] if arn_or_name.startswith("arn:") else arn_or_name


def create_local_function(local: LocalCutover, arn_or_name: str, run: HookHandler) -> str:
    """Create the function in local AWS (if it is not there yet) and route its invocations to `run`;
    return its ARN. An ARN's last part is the function's name (unqualified ARNs only)."""
    name = function_name(arn_or_name)
    with _lock:
        _handlers[name] = run
    functions = local.client("lambda")
    try:
        arn: str = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        return arn
    except functions.exceptions.ResourceNotFoundException:
        pass
    created = functions.create_function(
        FunctionName=name,
        Runtime=RUNTIME,
        Role=_hook_role(local),
        Handler=f"{__name__}.dispatch",
        Code={"ZipFile": _placeholder_package()},
    )
    arn = created["FunctionArn"]
    return arn


def _hook_role(local: LocalCutover) -> str:
    iam = local.client("iam")
    try:
        role: str = iam.get_role(RoleName=HOOK_ROLE)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName=HOOK_ROLE, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    return role


def _placeholder_package() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("placeholder.py", "")  # the in-process runtime imports `dispatch` instead
    return archive.getvalue()
