"""A fault AWS can return and moto cannot: ModifyListener denied while a deployment runs.

Faked, as AWS could do it: ModifyListener failing with a non-retryable error (AccessDenied,
e.g. a policy changed under the running deployment) while the switch says `broken`. The
zero-downtime suite and bench figure 8 use it to leave a rollback incomplete, then repair it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import ELBClientError


class AccessDenied(ELBClientError):
    code = "AccessDenied"
    message = "User is not authorized to perform: elasticloadbalancing:ModifyListener"


def denying(switch: dict[str, bool], original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's modify_listener, raising AccessDenied while `switch["broken"]`."""

    def modify(self: Any, *args: Any, **kwargs: Any) -> Any:
        if switch["broken"]:
            raise AccessDenied
        return original(self, *args, **kwargs)

    return modify


@contextmanager
def breakable_modify_listener() -> Iterator[dict[str, bool]]:
    """A switch for the block: while `switch["broken"]`, moto's ModifyListener raises AccessDenied."""
    switch = {"broken": False}
    original = elbv2_models.ELBv2Backend.modify_listener
    elbv2_models.ELBv2Backend.modify_listener = denying(switch, original)  # type: ignore[method-assign]
    try:
        yield switch
    finally:
        elbv2_models.ELBv2Backend.modify_listener = original  # type: ignore[method-assign]
