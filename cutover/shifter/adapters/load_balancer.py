"""The production listener's weighted forward, and target health."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cutover.shifter.logic.errors import WeightsNotApplied
from cutover.shifter.logic.observed import TargetHealth
from cutover.shifter.readers.weights import read_weights

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

MAX_WEIGHT = 100  # Cutover's scale; AWS accepts up to 999 (moto even 1000), so check here


class ElbLoadBalancer:
    """Bound to one elbv2 client, created once per cold start (adapters/aws_clients.py)."""

    def __init__(self, client: ElasticLoadBalancingv2Client) -> None:
        self._client = client

    def read_weights(self, listener_arn: str, target_groups: Mapping[str, str]) -> dict[str, int]:
        """Side → weight of the listener's default weighted forward; a foreign target group or
        anything but one forward is InconsistentTraffic: the shifter never acts on a guess."""
        return read_weights(self._client, listener_arn, target_groups).owned()

    def write_weights(
        self,
        listener_arn: str,
        target_groups: Mapping[str, str],
        weights: Mapping[str, int],
        stickiness_seconds: int | None,
    ) -> dict[str, int]:
        """Set the weights in one ModifyListener, re-sending the stickiness config, then
        read them back; raise WeightsNotApplied unless the listener shows exactly these."""
        if set(weights) != set(target_groups) or any(not 0 <= w <= MAX_WEIGHT for w in weights.values()):
            raise ValueError(f"weights must give each side 0..{MAX_WEIGHT}: {dict(weights)}")
        stickiness: dict[str, Any] = {"Enabled": stickiness_seconds is not None}
        if stickiness_seconds is not None:
            stickiness["DurationSeconds"] = stickiness_seconds
        forward: Any = {
            "Type": "forward",
            "ForwardConfig": {
                "TargetGroups": [
                    {"TargetGroupArn": target_groups[side], "Weight": weights[side]} for side in sorted(weights)
                ],
                "TargetGroupStickinessConfig": stickiness,
            },
        }
        self._client.modify_listener(ListenerArn=listener_arn, DefaultActions=[forward])
        applied = self.read_weights(listener_arn, target_groups)
        if applied != dict(weights):
            raise WeightsNotApplied(f"listener reads back {applied} after writing {dict(weights)}")
        return applied

    def target_health(self, target_group_arn: str) -> TargetHealth:
        descriptions = self._client.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]
        healthy = 0
        not_healthy: dict[str, str] = {}
        for description in descriptions:
            state = description.get("TargetHealth", {}).get("State", "unavailable")
            if state == "healthy":
                healthy += 1
            else:
                not_healthy[description["Target"]["Id"]] = state
        return TargetHealth(healthy=healthy, not_healthy=not_healthy)
