"""IAM enforced on every AWS call a Cutover Lambda makes in a local run.

moto authorizes nothing. Here each call the in-process Lambda runtime's code makes is
checked, where botocore sends it, against the identity-based policies of that function's
role as the synthesized template defines them (template_roles), with the action, resource
and condition keys AWS would authorize (iam_requests), by the evaluator in iam_policy. A
call they do not allow never reaches moto: botocore raises the ClientError AWS returns,
with AWS's code and message.

Keyed by a context variable the runtime sets around each invocation; calls outside an
invocation (the harness creating the stack, tests asserting) are not checked. It works in
both modes: with mock_aws and against the demo's moto server, the hook runs in the Lambda
code's own botocore client, before anything is sent.

Two botocore events: `before-parameter-build` sees the API parameters and decides;
`before-call` short-circuits the request with the error response (botocore then raises it
exactly as it raises an error from AWS: after-call handlers run, the modeled exception
class is used).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from cutover.local.iam_policy import Decision, Outcome, evaluate
from cutover.local.iam_requests import Permission, Scope, UnmappedOperation, permissions_for
from cutover.local.moto_lookups import MotoLookups
from cutover.local.template_roles import FunctionIdentity

_acting_function: ContextVar[str | None] = ContextVar("cutover_acting_function", default=None)
_DENIAL_KEY = "cutover_access_denied"

# The error each service returns for a denied request (its API reference, "Common Errors",
# and the error a real denial shows): JSON-protocol services say AccessDeniedException
# (HTTP 400); the query-protocol ones AccessDenied (HTTP 403); SNS AuthorizationError (403).
_ERRORS: dict[str, tuple[str, int]] = {
    "elbv2": ("AccessDenied", 403),
    "cloudwatch": ("AccessDenied", 403),
    "sts": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
}
_DEFAULT_ERROR = ("AccessDeniedException", 400)


@dataclass(frozen=True)
class Denial:
    function_name: str
    permission: Permission
    decision: Decision
    code: str
    message: str


def denial_message(identity: FunctionIdentity, permission: Permission, decision: Decision) -> str:
    """AWS's message shape (IAM User Guide, troubleshoot_access-denied: "User: … is not
    authorized to perform: … on resource: … because no identity-based policy allows the …
    action" / "… with an explicit deny in an identity-based policy"). Lambda signs its calls
    as the assumed role with the function name as session name."""
    account = identity.role_arn.split(":")[4]
    principal = f"arn:aws:sts::{account}:assumed-role/{identity.role_name}/{identity.function_name}"
    reason = (
        "with an explicit deny in an identity-based policy"
        if decision.outcome is Outcome.EXPLICIT_DENY
        else f"because no identity-based policy allows the {permission.action} action"
    )
    return (
        f"User: {principal} is not authorized to perform: {permission.action} "
        f"on resource: {permission.resource} {reason}"
    )


@dataclass
class IamEnforcer:
    enabled: bool = True
    identities: dict[str, FunctionIdentity] = field(default_factory=dict)
    lookups: MotoLookups | None = None
    # What the runs checked: distinct (action, resource) pairs, every denial, and every call
    # that could not be checked (an unmapped operation, a function without a template role).
    checked: set[tuple[str, str]] = field(default_factory=set)
    denials: list[Denial] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(self, identities: dict[str, FunctionIdentity], lookups: MotoLookups) -> None:
        """The functions of a newly created stack; forgets what earlier stacks checked."""
        with self._lock:
            self.identities = dict(identities)
            self.lookups = lookups
            self.checked.clear()
            self.denials.clear()
            self.problems.clear()

    @contextmanager
    def acting_as(self, function_name: str) -> Iterator[None]:
        """Calls made inside are signed as this function's role."""
        register(default_session())
        token = _acting_function.set(function_name)
        try:
            yield
        finally:
            _acting_function.reset(token)

    # ------------------------------------------------------------ botocore handlers
    def decide(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        function_name = _acting_function.get()
        if function_name is None or not self.enabled:
            return
        identity = self.identities.get(function_name)
        service = model.service_model.service_name
        try:
            if identity is None or self.lookups is None:
                raise UnmappedOperation(f"{function_name} has no role from the template: its calls cannot be checked")
            scope = Scope(context.get("client_region") or self.lookups.region, self.lookups.account, self.lookups)
            permissions = permissions_for(service, model.name, params, scope)
        except UnmappedOperation as error:
            with self._lock:
                self.problems.append(str(error))
            raise
        for permission in permissions:
            decision = evaluate(identity.policies, permission.action, permission.resource, permission.context)
            with self._lock:
                self.checked.add((permission.action, permission.resource))
            if not decision.allowed:
                code, _status = _ERRORS.get(service, _DEFAULT_ERROR)
                denial = Denial(
                    function_name, permission, decision, code, denial_message(identity, permission, decision)
                )
                with self._lock:
                    self.denials.append(denial)
                context[_DENIAL_KEY] = (service, denial)
                return

    def respond(self, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        found = context.pop(_DENIAL_KEY, None)
        if found is None:
            return None
        service, denial = found
        _code, status = _ERRORS.get(service, _DEFAULT_ERROR)
        http = AWSResponse(url="", status_code=status, headers=HTTPHeaders(), raw=None)
        parsed = {
            "Error": {"Code": denial.code, "Message": denial.message},
            "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0},
        }
        return http, parsed


enforcer = IamEnforcer()


def default_session() -> boto3.Session:
    """The session boto3.client() uses (what the Lambda code's clients come from)."""
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    return session


def register(session: boto3.Session) -> None:
    """Idempotent. Clients copy their session's handlers when created, so this runs before
    every invocation, in case the default session was replaced."""
    session.events.register("before-parameter-build", enforcer.decide, unique_id="cutover-iam-decide")
    # before-call handlers may return the response that replaces the request (botocore client.py).
    session.events.register("before-call", enforcer.respond, unique_id="cutover-iam-respond")  # type: ignore[arg-type]
