"""A small evaluator of IAM identity-based policy documents, as AWS evaluates them.

Why our own: the registry's candidates do not evaluate a request against a document with
conditions (policyuniverse expands and parses; parliament lints; iam-ape summarises an
account's authorization details; others call AWS's simulator), and moto's own access
control denies resource-scoped calls and ignores conditions (issue 11).

The rules, from the IAM User Guide:
- "A request results in an explicit deny if an applicable policy includes a Deny statement
  ... the Deny statement trumps the Allow statement. An implicit denial occurs when there is
  no applicable Deny statement but also no applicable Allow statement."
  (reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html)
- Action matching is case-insensitive and Resource (ARN) matching case-sensitive; both take
  the `*` and `?` wildcards (reference_policies_elements_action.html,
  reference_policies_elements_resource.html). NotAction / NotResource match everything
  except the listed values (reference_policies_elements_notaction.html, _notresource.html).
- Conditions: every operator in a block, and every key in an operator, must be true (AND);
  the values listed for one key are alternatives (OR), and for a negated operator the key
  must match none of them. "If the key that you specify in a policy condition is not
  present in the request context, the values do not match and the condition is false. If
  the policy condition requires that the key is not matched, such as StringNotLike or
  ArnNotLike, and the right key is not present, the condition is true. This logic applies
  to all condition operators except ...IfExists and Null check."
  (reference_policies_elements_condition_operators.html,
  reference_policies_condition-logic-multiple-context-keys-or-values.html)
- ForAnyValue: true when at least one request value matches (false when the key is missing);
  ForAllValues: true when every request value matches (true when the key is missing or empty)
  (reference_policies_condition-single-vs-multi-valued-context-keys.html).
- Condition key names are case-insensitive (reference_policies_elements_condition.html).

What is not modelled raises UnsupportedPolicy rather than deciding silently: policy
variables (`${aws:username}`), Principal/NotPrincipal (resource-based policies), unknown
operators, a multi-valued request key under a single-valued operator.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

ContextValue = str | Sequence[str]
Context = Mapping[str, ContextValue]


class UnsupportedPolicy(ValueError):
    """The document uses something this evaluator does not model: never guess an answer."""


class Outcome(enum.Enum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitly denied"
    IMPLICIT_DENY = "implicitly denied"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    # Which statement decided (the first Deny that applied, else the first Allow); None for
    # an implicit deny. Indexes are into the `policies` argument and its Statement list.
    policy_index: int | None = None
    statement_index: int | None = None
    sid: str | None = None

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED


def evaluate(
    policies: Sequence[Mapping[str, Any]],
    action: str,
    resource: str,
    context: Context | None = None,
) -> Decision:
    """The decision of these identity-based policies for one request."""
    request_context = {key.lower(): value for key, value in (context or {}).items()}
    allowed_by: Decision | None = None
    for policy_index, policy in enumerate(policies):
        for statement_index, statement in enumerate(_statements(policy)):
            if not _applies(statement, action, resource, request_context):
                continue
            effect = statement.get("Effect")
            sid = statement.get("Sid")
            if effect == "Deny":
                return Decision(Outcome.EXPLICIT_DENY, policy_index, statement_index, sid)
            if effect != "Allow":
                raise UnsupportedPolicy(f"Effect must be Allow or Deny, not {effect!r}")
            if allowed_by is None:
                allowed_by = Decision(Outcome.ALLOWED, policy_index, statement_index, sid)
    return allowed_by or Decision(Outcome.IMPLICIT_DENY)


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statement = policy.get("Statement")
    if statement is None:
        raise UnsupportedPolicy("a policy document needs a Statement")
    return [statement] if isinstance(statement, Mapping) else list(statement)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: dict[str, ContextValue]) -> bool:
    for element in ("Principal", "NotPrincipal"):
        if element in statement:
            raise UnsupportedPolicy(f"{element} belongs to resource-based policies, which are not evaluated here")
    return (
        _element_matches(statement, "Action", action, case_sensitive=False)
        and _element_matches(statement, "Resource", resource, case_sensitive=True)
        and _conditions_hold(statement.get("Condition", {}), context)
    )


def _element_matches(statement: Mapping[str, Any], name: str, value: str, *, case_sensitive: bool) -> bool:
    positive, negative = name in statement, f"Not{name}" in statement
    if positive == negative:
        raise UnsupportedPolicy(f"a statement needs exactly one of {name} and Not{name}")
    patterns = _as_list(statement[name] if positive else statement[f"Not{name}"])
    matched = any(_wildcard_match(str(pattern), value, case_sensitive=case_sensitive) for pattern in patterns)
    return matched if positive else not matched


def _wildcard_match(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    if "${" in pattern:
        raise UnsupportedPolicy(f"policy variables are not evaluated: {pattern}")
    return _compiled(pattern, case_sensitive).fullmatch(value) is not None


@cache
def _compiled(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    # `*` matches any run of characters (colons and slashes included), `?` any one character;
    # nothing else is special in IAM (no [] classes, unlike fnmatch).
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


# ---------------------------------------------------------------- conditions

Comparator = Callable[[str, str], bool]


def _bool_equals(policy_value: str, request_value: str) -> bool:
    return policy_value.lower() == request_value.lower()


# base operator -> (comparator(policy value, request value), negated)
_OPERATORS: dict[str, tuple[Comparator, bool]] = {
    "stringequals": (lambda p, r: p == r, False),
    "stringnotequals": (lambda p, r: p == r, True),
    "stringequalsignorecase": (lambda p, r: p.lower() == r.lower(), False),
    "stringnotequalsignorecase": (lambda p, r: p.lower() == r.lower(), True),
    "stringlike": (lambda p, r: _wildcard_match(p, r, case_sensitive=True), False),
    "stringnotlike": (lambda p, r: _wildcard_match(p, r, case_sensitive=True), True),
    # ARN operators compare segment by segment with wildcards; a whole-string wildcard match
    # is the same for the ARNs we build (they always have all six segments).
    "arnequals": (lambda p, r: _wildcard_match(p, r, case_sensitive=True), False),
    "arnlike": (lambda p, r: _wildcard_match(p, r, case_sensitive=True), False),
    "arnnotequals": (lambda p, r: _wildcard_match(p, r, case_sensitive=True), True),
    "arnnotlike": (lambda p, r: _wildcard_match(p, r, case_sensitive=True), True),
    "bool": (_bool_equals, False),
}


def _conditions_hold(block: Mapping[str, Any], context: dict[str, ContextValue]) -> bool:
    return all(
        _operator_holds(operator, str(key), _as_list(values), context)
        for operator, keys in block.items()
        for key, values in keys.items()
    )


def _operator_holds(operator: str, key: str, policy_values: list[Any], context: dict[str, ContextValue]) -> bool:
    qualifier, _, base = operator.rpartition(":")
    base = base.lower()
    if_exists = base.endswith("ifexists")
    base = base.removesuffix("ifexists")
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in policy_values]
    present = key.lower() in context
    if base == "null":
        if qualifier or if_exists:
            raise UnsupportedPolicy(f"{operator} is not a valid operator")
        wanted = {v.lower() for v in values}
        return ("true" in wanted and not present) or ("false" in wanted and present)
    if base not in _OPERATORS:
        raise UnsupportedPolicy(f"condition operator {operator} is not evaluated locally")
    comparator, negated = _OPERATORS[base]

    def holds_for(request_value: str) -> bool:
        matched = any(comparator(value, request_value) for value in values)
        return not matched if negated else matched

    raw = context.get(key.lower())
    request_values = [raw] if isinstance(raw, str) else list(raw or [])
    if qualifier:
        return _set_operator_holds(qualifier, holds_for, request_values)
    if not present:
        return if_exists or negated
    if len(request_values) != 1:
        raise UnsupportedPolicy(f"{key} has several values: use ForAnyValue or ForAllValues with {operator}")
    return holds_for(request_values[0])


def _set_operator_holds(qualifier: str, holds_for: Callable[[str], bool], request_values: list[str]) -> bool:
    if qualifier.lower() == "foranyvalue":
        return any(holds_for(v) for v in request_values)
    if qualifier.lower() == "forallvalues":
        return all(holds_for(v) for v in request_values)
    raise UnsupportedPolicy(f"condition set operator {qualifier} is not evaluated locally")


__all__ = ["Decision", "Outcome", "UnsupportedPolicy", "evaluate"]
