"""Judge one smoke-test response; the HTTP call itself is made by an adapter."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import JsonValue

from cutover.shifter.logic.inputs import SmokeTest


@dataclass(frozen=True)
class SmokeResponse:
    status: int
    latency_ms: float
    body: bytes
    content_type: str | None


def evaluate(test: SmokeTest, response: SmokeResponse) -> str | None:
    """None when the response passes; otherwise one line saying why (status, then latency, then JSON)."""
    label = f"{test.method} {test.path}"
    if response.status != test.expect_status:
        return f"{label}: status {response.status}, expected {test.expect_status}"
    if response.latency_ms > test.max_latency_ms:
        return f"{label}: {response.latency_ms:.0f} ms, over the {test.max_latency_ms} ms limit"
    if test.expect_json is None:
        return None
    try:
        document = _response_json(response)
    except ValueError:
        return f"{label}: response is not JSON"
    mismatch = json_subset_mismatch(test.expect_json, document)
    return None if mismatch is None else f"{label}: JSON does not match expect_json at {mismatch}"


def _response_json(response: SmokeResponse) -> JsonValue:
    """The response's JSON document; ValueError when there is none."""
    text = response.body.decode("utf-8", errors="replace")
    if (response.content_type or "").split(";")[0].strip().lower() == "text/event-stream":
        text = _first_event_data(text)
    document: JsonValue = json.loads(text)
    return document


def _first_event_data(stream: str) -> str:
    """The data of the first SSE event that has any (MCP's streamable HTTP may answer this way)."""
    lines: list[str] = []
    for line in stream.splitlines():
        if line.startswith("data:"):
            lines.append(line.removeprefix("data:").removeprefix(" "))
        elif not line and lines:
            break
    return "\n".join(lines)


def json_subset_mismatch(expected: JsonValue, actual: JsonValue, path: str = "") -> str | None:
    """Where `actual` fails to contain `expected`, as "path: what was expected"; None if it does.

    Objects may have extra keys; every expected list element must match some actual element, in
    any order; scalars compare equal (1 == 1.0, but true is not 1).
    """
    where = path or "(top level)"
    if isinstance(expected, dict):
        return _object_mismatch(expected, actual, path)
    if isinstance(expected, list):
        return _list_mismatch(expected, actual, where)
    if _scalars_equal(expected, actual):
        return None
    return f"{where}: expected {_compact(expected)}, got {_describe(actual)}"


def _object_mismatch(expected: dict[str, JsonValue], actual: JsonValue, path: str) -> str | None:
    if not isinstance(actual, dict):
        return f"{path or '(top level)'}: expected an object, got {_describe(actual)}"
    for key, value in expected.items():
        child = f"{path}.{key}" if path else key
        if key not in actual:
            return f"{child}: missing"
        mismatch = json_subset_mismatch(value, actual[key], child)
        if mismatch is not None:
            return mismatch
    return None


def _list_mismatch(expected: list[JsonValue], actual: JsonValue, where: str) -> str | None:
    if not isinstance(actual, list):
        return f"{where}: expected a list, got {_describe(actual)}"
    if expected and not actual:
        return f"{where}: expected a non-empty list, got []"
    for wanted in expected:
        if all(json_subset_mismatch(wanted, candidate) is not None for candidate in actual):
            return f"{where}: no element matches {_compact(wanted)}"
    return None


def _scalars_equal(expected: JsonValue, actual: JsonValue) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def _describe(value: JsonValue) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return _compact(value)


def _compact(value: JsonValue, limit: int = 80) -> str:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_request_body(test: SmokeTest) -> tuple[bytes | None, dict[str, str]]:
    """The bytes to send and the headers to send them with; objects and lists go as JSON."""
    headers = dict(test.headers)
    if test.body is None:
        return None, headers
    if isinstance(test.body, str):
        return test.body.encode("utf-8"), headers
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"
    return json.dumps(test.body, separators=(",", ":")).encode("utf-8"), headers
