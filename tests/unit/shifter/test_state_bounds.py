"""Inputs whose size would grow the workflow state toward Step Functions' 256 KiB limit are
refused when validated, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.shifter.logic.errors import InvalidInput
from cutover.shifter.logic.inputs import parse_execution_input

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"


def deploy(**fields: Any) -> dict[str, Any]:
    return {"image": IMAGE, **fields}


def test_a_smoke_test_body_over_4_kib_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"^smoke_tests\[0\]\.body: 5,002 bytes as JSON, over the 4,096"):
        parse_execution_input(deploy(smoke_tests=[{"path": "/", "method": "POST", "body": "x" * 5_000}]))


def test_an_expected_json_over_4_kib_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"^smoke_tests\[0\]\.expect_json: "):
        parse_execution_input(deploy(smoke_tests=[{"path": "/", "expect_json": {"k": "v" * 5_000}}]))


def test_smoke_tests_over_32_kib_in_all_are_refused() -> None:
    tests = [{"path": "/", "method": "POST", "body": "x" * 4_000} for _ in range(9)]
    with pytest.raises(InvalidInput, match=r"^smoke_tests: .* over the 32,768 a deployment may carry"):
        parse_execution_input(deploy(smoke_tests=tests))


def test_headers_are_bounded_in_number_and_length() -> None:
    with pytest.raises(InvalidInput, match=r"^smoke_tests\[0\]\.headers"):
        parse_execution_input(deploy(smoke_tests=[{"path": "/", "headers": {f"X-{n}": "v" for n in range(11)}}]))
    with pytest.raises(InvalidInput, match=r"^smoke_tests\[0\]\.headers\.X-Big: a header may have at most 1,024"):
        parse_execution_input(deploy(smoke_tests=[{"path": "/", "headers": {"X-Big": "v" * 1_100}}]))
