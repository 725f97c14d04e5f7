"""The listener adapter against moto's ELBv2: weights written in one call and read back."""

from __future__ import annotations

from typing import Any

import pytest

from cutover.shifter.adapters.load_balancer import ElbLoadBalancer
from cutover.shifter.adapters.transient import is_transient
from cutover.shifter.logic.errors import WeightsNotApplied
from cutover.shifter.logic.observed import TargetHealth
from tests.unit.shifter.adapters.aws_answers import answer_with_error
from tests.unit.shifter.readers.moto_clients import calls
from tests.unit.shifter.readers.test_weights import load_balancer, sides


def test_written_weights_read_back_and_stickiness_is_sent_with_them() -> None:
    elbv2, arns = load_balancer()
    sent = calls(elbv2, "ModifyListener")
    adapter = ElbLoadBalancer(elbv2)

    assert adapter.write_weights(arns["listener"], sides(arns), {"blue": 90, "green": 10}, 300) == {
        "blue": 90,
        "green": 10,
    }
    assert adapter.read_weights(arns["listener"], sides(arns)) == {"blue": 90, "green": 10}
    # ModifyListener replaces the whole action: stickiness not re-sent would be switched off.
    forward = sent[0]["DefaultActions"][0]["ForwardConfig"]
    assert forward["TargetGroupStickinessConfig"] == {"Enabled": True, "DurationSeconds": 300}

    adapter.write_weights(arns["listener"], sides(arns), {"blue": 0, "green": 100}, None)
    assert sent[1]["DefaultActions"][0]["ForwardConfig"]["TargetGroupStickinessConfig"] == {"Enabled": False}
    assert adapter.read_weights(arns["listener"], sides(arns)) == {"blue": 0, "green": 100}


def test_weights_outside_the_scale_or_missing_a_side_are_refused_before_any_call() -> None:
    elbv2, arns = load_balancer()
    sent = calls(elbv2, "ModifyListener")
    for weights in ({"blue": 101, "green": 0}, {"blue": -1, "green": 100}, {"blue": 100}):
        with pytest.raises(ValueError, match=r"each side 0\.\.100"):
            ElbLoadBalancer(elbv2).write_weights(arns["listener"], sides(arns), weights, None)
    assert sent == []
    assert ElbLoadBalancer(elbv2).read_weights(arns["listener"], sides(arns)) == {"blue": 100, "green": 0}


def test_a_listener_that_does_not_show_the_written_weights_is_an_error() -> None:
    """Another writer between our ModifyListener and the read-back: simulated by a second
    listener change in the after-call hook of ours, which is what a concurrent writer does."""
    elbv2, arns = load_balancer()
    other = {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": arns["blue"], "Weight": 1}]}}
    interfering: list[bool] = []

    def concurrent_writer(**_: Any) -> None:
        if not interfering:
            interfering.append(True)
            elbv2.modify_listener(ListenerArn=arns["listener"], DefaultActions=[other])

    elbv2.meta.events.register("after-call.elastic-load-balancing-v2.ModifyListener", concurrent_writer)
    with pytest.raises(WeightsNotApplied, match="reads back"):
        ElbLoadBalancer(elbv2).write_weights(arns["listener"], sides(arns), {"blue": 50, "green": 50}, None)


def test_target_health_counts_healthy_targets_and_names_the_others() -> None:
    elbv2, arns = load_balancer()
    elbv2.register_targets(TargetGroupArn=arns["green"], Targets=[{"Id": "10.0.0.5", "Port": 80}])
    elbv2.register_targets(TargetGroupArn=arns["green"], Targets=[{"Id": "10.0.1.7", "Port": 80}])
    adapter = ElbLoadBalancer(elbv2)
    assert adapter.target_health(arns["green"]) == TargetHealth(healthy=2, not_healthy={})
    assert adapter.target_health(arns["blue"]) == TargetHealth(healthy=0, not_healthy={})

    elbv2.deregister_targets(TargetGroupArn=arns["green"], Targets=[{"Id": "10.0.1.7", "Port": 80}])
    described: list[Any] = []

    def with_a_draining_target(parsed: dict[str, Any], **_: Any) -> None:
        # moto forgets deregistered targets at once; ELB keeps them "draining" for the
        # deregistration delay (ELB API Reference, DeregisterTargets:
        # https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeregisterTargets.html),
        # so the answer shows it as ELB would.
        parsed["TargetHealthDescriptions"].append(
            {"Target": {"Id": "10.0.1.7", "Port": 80}, "TargetHealth": {"State": "draining"}}
        )
        described.append(parsed)

    elbv2.meta.events.register("after-call.elastic-load-balancing-v2.DescribeTargetHealth", with_a_draining_target)
    assert adapter.target_health(arns["green"]) == TargetHealth(healthy=1, not_healthy={"10.0.1.7": "draining"})
    assert described


def test_a_throttled_listener_change_surfaces_as_a_transient_error() -> None:
    elbv2, arns = load_balancer()
    refused = answer_with_error(elbv2, "ModifyListener", "Throttling")
    with pytest.raises(Exception) as raised:
        ElbLoadBalancer(elbv2).write_weights(arns["listener"], sides(arns), {"blue": 50, "green": 50}, None)
    assert is_transient(raised.value)
    assert len(refused) == 1
