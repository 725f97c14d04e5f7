"""A fault AWS can return and moto cannot: ModifyListener denied while a deployment runs.

Faked, as AWS could do it: ModifyListener failing with a non-retryable error (AccessDenied,
e.g. a policy changed under the running deployment) while the switch says `broken`."""

from __future__ import annotations

from typing import Any

import pytest
from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import ELBClientError


class AccessDenied(ELBClientError):
    code = "AccessDenied"
    message = "User is not authorized to perform: elasticloadbalancing:ModifyListener"


def break_modify_listener(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """A switch: while `switch["broken"]`, moto's ModifyListener raises AccessDenied."""
    switch = {"broken": False}
    original = elbv2_models.ELBv2Backend.modify_listener

    def modify(self: Any, *args: Any, **kwargs: Any) -> Any:
        if switch["broken"]:
            raise AccessDenied
        return original(self, *args, **kwargs)

    monkeypatch.setattr(elbv2_models.ELBv2Backend, "modify_listener", modify)
    return switch
