"""Errors AWS answers with, given to a moto client the way AWS gives them: as the response.

botocore's `before-call` event lets a handler supply the (HTTP response, parsed body) of a
call; the client then raises exactly as for a real error response (botocore client.py,
_make_api_call: `if http.status_code >= 300: raise error_class(parsed_response, ...)`).
Nothing of ours is replaced: the adapter under test sees a ClientError as AWS would send it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _HttpAnswer:
    status_code: int


def answer_with_error(boto_client: Any, operation: str, code: str, status: int = 400) -> list[dict[str, Any]]:
    """Every later `operation` call fails with `code`; returns the requests that were refused.

    AWS throttles with HTTP 400 and a code such as ThrottlingException or
    ProvisionedThroughputExceededException, and fails with 5xx on its side; the SDKs retry
    both (AWS SDKs and Tools Reference Guide, "Retry behavior":
    https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). This
    answer replaces the whole call, retries included, so the test sees the error the
    adapter gets once the SDK's retries are spent."""
    refused: list[dict[str, Any]] = []

    def answer(params: dict[str, Any], **_: Any) -> tuple[_HttpAnswer, dict[str, Any]]:
        refused.append(params)
        body = {
            "Error": {"Code": code, "Message": f"{code} (answered by the test, as AWS would)"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return _HttpAnswer(status), body

    service = boto_client.meta.service_model.service_id.hyphenize()
    boto_client.meta.events.register(f"before-call.{service}.{operation}", answer)
    return refused
