"""Throttling and lagging reads are retried with back-off; the deployment still succeeds.

Faked, as AWS does it and moto does not: the Elastic Load Balancing API throttling
ModifyListener (HTTP 400 `Throttling`), and DescribeListeners answering from before a
change that was just made (eventual consistency)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import ELBClientError

from cutover.local.runtime import LocalCutover
from cutover.local.time_compression import TimeRecorder

IMAGE_V2 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2"


class Throttling(ELBClientError):
    code = "Throttling"
    message = "Rate exceeded"


def test_throttled_modify_listener_is_retried_by_the_sdk(
    cutover: LocalCutover, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = elbv2_models.ELBv2Backend.modify_listener
    calls = {"throttled": 0, "applied": 0}

    def throttling_twice(self: Any, *args: Any, **kwargs: Any) -> Any:
        if calls["throttled"] < 2:
            calls["throttled"] += 1
            raise Throttling
        calls["applied"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(elbv2_models.ELBv2Backend, "modify_listener", throttling_twice)
    execution = cutover.run({"image": IMAGE_V2, "strategy": "canary", "bake_seconds": 60}, "throttled")
    assert execution.status == "SUCCEEDED", execution.cause
    assert calls == {"throttled": 2, "applied": 2}  # 10 %, then 100 %
    assert cutover.weights() == {"blue": 0, "green": 100}


def test_a_lagging_read_back_is_retried_by_the_state_machine(
    cutover: LocalCutover, recorder: TimeRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    original_modify = elbv2_models.ELBv2Backend.modify_listener
    original_describe = elbv2_models.ELBv2Backend.describe_listeners
    stale: dict[str, Any] = {}

    def modify(self: Any, arn: str, *args: Any, **kwargs: Any) -> Any:
        if not stale.get("served"):
            stale["actions"] = [
                action.data.copy() for action in self.describe_listeners(None, [arn])[0].default_actions
            ]
        return original_modify(self, arn, *args, **kwargs)

    def describe(self: Any, load_balancer_arn: Any, listener_arns: Any) -> Any:
        listeners = original_describe(self, load_balancer_arn, listener_arns)
        if "actions" in stale and not stale.get("served"):
            stale["served"] = True  # one answer from before the change, then the truth
            before = [elbv2_models.FakeAction(data) for data in stale["actions"]]
            return [_with_actions(listener, before) for listener in listeners]
        return listeners

    monkeypatch.setattr(elbv2_models.ELBv2Backend, "modify_listener", modify)
    monkeypatch.setattr(elbv2_models.ELBv2Backend, "describe_listeners", describe)
    execution = cutover.run({"image": IMAGE_V2, "strategy": "all-at-once"}, "lagging")
    assert execution.status == "SUCCEEDED", execution.cause
    assert stale["served"] is True
    assert recorder.retry_sleeps, "the state machine retried the shift (WeightsNotApplied)"
    assert cutover.weights() == {"blue": 0, "green": 100}


def _with_actions(listener: Any, actions: list[Any]) -> Any:
    stale_listener = copy.copy(listener)
    stale_listener.default_actions = actions
    return stale_listener
