"""Judging smoke-test responses: status, then latency, then a JSON subset match."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutover.shifter.logic.inputs import SmokeTest
from cutover.shifter.logic.smoke import SmokeResponse, build_request_body, evaluate, json_subset_mismatch

HEALTH = SmokeTest(path="/health")
TOOLS_LISTED = SmokeTest(path="/mcp", method="POST", expect_json={"result": {"tools": [{"name": "search"}]}})


def response(
    body: Any = None, *, status: int = 200, latency_ms: float = 20.0, content_type: str = "application/json"
) -> SmokeResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SmokeResponse(status=status, latency_ms=latency_ms, body=raw, content_type=content_type)


def test_a_healthy_answer_passes() -> None:
    assert evaluate(HEALTH, response(b"ok", content_type="text/plain")) is None


def test_wrong_status_is_reported_first() -> None:
    assert evaluate(HEALTH, response(b"", status=503, latency_ms=9_000)) == "GET /health: status 503, expected 200"


def test_slow_answer_is_reported() -> None:
    assert evaluate(HEALTH, response(b"ok", latency_ms=812.4)) == "GET /health: 812 ms, over the 500 ms limit"


def test_latency_at_the_limit_passes() -> None:
    assert evaluate(HEALTH, response(b"ok", latency_ms=500)) is None


def test_expected_status_other_than_200() -> None:
    assert evaluate(SmokeTest(path="/login", expect_status=302), response(b"", status=302)) is None


def test_json_is_checked_only_when_expected() -> None:
    assert evaluate(HEALTH, response(b"<html>", content_type="text/html")) is None
    assert evaluate(TOOLS_LISTED, response(b"<html>", content_type="text/html")) == "POST /mcp: response is not JSON"


def test_json_subset_passes_with_extra_keys_and_elements() -> None:
    body = {"jsonrpc": "2.0", "result": {"tools": [{"name": "fetch"}, {"name": "search", "description": "x"}]}}
    assert evaluate(TOOLS_LISTED, response(body)) is None


def test_json_mismatch_names_the_path() -> None:
    assert evaluate(TOOLS_LISTED, response({"result": {"tools": []}})) == (
        "POST /mcp: JSON does not match expect_json at result.tools: expected a non-empty list, got []"
    )


def test_server_sent_events_use_the_first_data_event() -> None:
    stream = (
        b"event: message\r\n"
        b'data: {"result": {"tools": [{"name": "search"}]}}\r\n\r\n'
        b'data: {"result": {"tools": []}}\r\n\r\n'
    )
    ok = response(stream, content_type="text/event-stream; charset=utf-8")
    assert evaluate(TOOLS_LISTED, ok) is None
    empty = response(b": keep-alive\n\n", content_type="text/event-stream")
    assert evaluate(TOOLS_LISTED, empty) == "POST /mcp: response is not JSON"


def test_sse_data_split_over_lines_is_joined() -> None:
    stream = b'data: {"result":\ndata: {"tools": [{"name": "search"}]}}\n\n'
    assert evaluate(TOOLS_LISTED, response(stream, content_type="text/event-stream")) is None


@pytest.mark.parametrize(
    ("expected", "actual", "mismatch"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, None),
        ({"a": 1}, {"b": 1}, "a: missing"),
        ({"a": {"b": [1]}}, {"a": {"b": 1}}, "a.b: expected a list, got 1"),
        ({"a": 1}, [1], "(top level): expected an object, got a list"),
        ([2, 1], [1, 2, 3], None),
        ([{"id": 4}], [{"id": 3}], '(top level): no element matches {"id":4}'),
        ([], [1], None),
        (1, 1.0, None),
        (True, 1, "(top level): expected true, got 1"),
        (1, True, "(top level): expected 1, got true"),
        (False, 0, "(top level): expected false, got 0"),
        ("1", 1, '(top level): expected "1", got 1'),
        (None, None, None),
        ({"x": None}, {"x": 0}, "x: expected null, got 0"),
        ({"x": None}, {}, "x: missing"),
    ],
)
def test_json_subset_mismatch(expected: Any, actual: Any, mismatch: str | None) -> None:
    assert json_subset_mismatch(expected, actual) == mismatch


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_every_json_value_contains_itself(value: Any) -> None:
    assert json_subset_mismatch(value, value) is None


@given(st.dictionaries(st.text(max_size=5), json_values, min_size=1, max_size=4))
def test_a_missing_key_is_noticed_and_an_extra_one_is_not(value: dict[str, Any]) -> None:
    key = next(iter(value))
    actual = {k: v for k, v in value.items() if k != key}
    assert json_subset_mismatch(value, actual) == f"{key}: missing"
    assert json_subset_mismatch(actual, {**value, "longer than any drawn key": 1}) is None


def test_json_body_gets_a_content_type() -> None:
    body, headers = build_request_body(SmokeTest(path="/mcp", method="POST", body={"id": 1}, headers={"X-A": "b"}))
    assert body == b'{"id":1}'
    assert headers == {"X-A": "b", "Content-Type": "application/json"}


def test_own_content_type_is_kept() -> None:
    test = SmokeTest(path="/mcp", body=[1], headers={"content-type": "application/json-rpc"})
    assert build_request_body(test) == (b"[1]", {"content-type": "application/json-rpc"})


def test_text_and_empty_bodies() -> None:
    assert build_request_body(SmokeTest(path="/", body="héllo")) == ("héllo".encode(), {})
    assert build_request_body(SmokeTest(path="/")) == (None, {})
