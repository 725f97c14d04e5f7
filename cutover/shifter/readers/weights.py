"""The production listener's weighted forward: each side's weight, and any traffic that goes
to a target group Cutover does not own.

One reading, two callers' decisions: the Lambda refuses to act on a listener it does not fully
own (`owned()` raises InconsistentTraffic), the CLI shows the foreign share as `unknown`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cutover.shifter.logic.errors import InconsistentTraffic

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client


@dataclass(frozen=True)
class ListenerWeights:
    sides: dict[str, int]  # each side Cutover owns → its weight (0 when the forward omits it)
    foreign: dict[str, int]  # target group ARN Cutover does not own → its weight
    forwards: int  # forward actions among the default actions: Cutover writes exactly one

    @property
    def unknown(self) -> int:
        """The weight that goes to target groups Cutover does not own."""
        return sum(self.foreign.values())

    def owned(self) -> dict[str, int]:
        """The sides' weights, or InconsistentTraffic when the listener is not one weighted
        forward to Cutover's own target groups (someone else changed it)."""
        if self.forwards != 1:
            raise InconsistentTraffic(f"the listener's default action is not one weighted forward ({self.forwards})")
        if self.foreign:
            raise InconsistentTraffic(f"the listener forwards to target groups Cutover does not own: {self.foreign}")
        return dict(self.sides)


def read_weights(
    client: ElasticLoadBalancingv2Client, listener_arn: str, target_groups: Mapping[str, str]
) -> ListenerWeights:
    """`target_groups`: side → target group ARN. Each group of a forward has a weight of 0-999:
    https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupTuple.html"""
    listener = client.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]
    forwards: list[Any] = [a for a in listener["DefaultActions"] if a["Type"] == "forward"]
    side_of = {arn: side for side, arn in target_groups.items()}
    sides = {side: 0 for side in target_groups}
    foreign: dict[str, int] = {}
    groups = forwards[0].get("ForwardConfig", {}).get("TargetGroups", []) if forwards else []
    for group in groups:
        arn, weight = group["TargetGroupArn"], int(group.get("Weight", 1))
        if arn in side_of:
            sides[side_of[arn]] = weight
        else:
            foreign[arn] = weight
    return ListenerWeights(sides=sides, foreign=foreign, forwards=len(forwards))
