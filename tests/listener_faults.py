"""A fault AWS can return and moto cannot: ModifyListener denied while a deployment runs.

Faked, as AWS could do it (cutover/local/listener_faults.py): ModifyListener failing with a
non-retryable error (AccessDenied, e.g. a policy changed under the running deployment) while
the switch says `broken`."""

from __future__ import annotations

import pytest
from moto.elbv2 import models as elbv2_models

from cutover.local.listener_faults import denying


def break_modify_listener(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """A switch: while `switch["broken"]`, moto's ModifyListener raises AccessDenied."""
    switch = {"broken": False}
    original = elbv2_models.ELBv2Backend.modify_listener
    monkeypatch.setattr(elbv2_models.ELBv2Backend, "modify_listener", denying(switch, original))
    return switch
