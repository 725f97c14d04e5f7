"""GetExecutionHistory as AWS pages it: at most `maxResults` events a call, latest first when
asked, and a `nextToken` for the rest.

The Step Functions API reference (GetExecutionHistory): "The default is 100 and the maximum
allowed page size is 1000. A value of 0 uses the default"; `reverseOrder` "Lists events in
descending order of their timeStamp"; "If nextToken is returned, there are more results
available ... Keep all other arguments unchanged. Each pagination token expires after 24 hours.
Using an expired pagination token will return an HTTP 400 InvalidToken error."

moto ignores all three and returns the whole history, oldest first, every call. So a reader that
asks for the latest 100 events (the CLI's `watch`, every refresh) got all of them, oldest first,
and a reader that forgot to page, or to ask for the latest, worked here and not on AWS. A token
here is the position of the next event, for this execution and order; one from another execution
or order is InvalidToken (AWS's tokens are opaque; their 24-hour expiry is not modelled).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from moto.stepfunctions.exceptions import InvalidToken, ValidationException
from moto.stepfunctions.responses import StepFunctionResponse

DEFAULT_PAGE = 100
MAX_PAGE = 1000


def _token(arn: str, reverse: bool, position: int) -> str:
    return base64.b64encode(json.dumps([arn, reverse, position]).encode()).decode()


def _position(token: str, arn: str, reverse: bool) -> int:
    try:
        token_arn, token_reverse, position = json.loads(base64.b64decode(token, validate=True))
    except (ValueError, TypeError) as error:
        raise InvalidToken(f"'{token}'") from error
    if (token_arn, token_reverse) != (arn, reverse) or not isinstance(position, int) or position < 0:
        raise InvalidToken(f"'{token}'")
    return position


def page_size(max_results: Any) -> int:
    """maxResults as AWS reads it: absent or 0 is the default, more than 1000 is refused."""
    size = int(max_results or 0)
    if size < 0 or size > MAX_PAGE:
        raise ValidationException(
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_PAGE}"
        )
    return size or DEFAULT_PAGE


def get_execution_history(self: Any) -> Any:
    from moto.core.responses import ActionResult

    arn = self._get_param("executionArn")
    reverse = bool(self._get_param("reverseOrder", False))
    size = page_size(self._get_param("maxResults"))
    token = self._get_param("nextToken")
    position = _position(token, arn, reverse) if token else 0
    events: list[Any] = list(self.stepfunction_backend.get_execution_history(arn)["events"])
    if reverse:
        events.reverse()
    page: dict[str, Any] = {"events": events[position : position + size]}
    if position + size < len(events):
        page["nextToken"] = _token(arn, reverse, position + size)
    return ActionResult(page)


def apply() -> None:
    """Idempotent."""
    StepFunctionResponse.get_execution_history = get_execution_history  # type: ignore[method-assign]
