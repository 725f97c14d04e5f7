"""The first autoscaling bounds of a side, from what that side runs when they are created.

Bounds are seeded once, when autoscaling is turned on: on a new stack, or on a stack whose
live side may be either. RegisterScalableTarget moves an active service's capacity into
min..max ("If the current capacity is outside the new range, Application Auto Scaling
scales it into the range", Application Auto Scaling RegisterScalableTarget), so the seed
must contain the side's current count: a side with tasks keeps every one, and an idle side
(no tasks) is pinned at 0..0 so that autoscaling cannot start any.
"""

from __future__ import annotations

from typing import NamedTuple


class Bounds(NamedTuple):
    minimum: int
    maximum: int


def seed_bounds(desired_count: int, configured: Bounds) -> Bounds:
    if desired_count < 0:
        raise ValueError(f"desired count {desired_count} is negative")
    if configured.minimum > configured.maximum:
        raise ValueError(f"configured bounds {configured.minimum}..{configured.maximum} are empty")
    if desired_count == 0:
        return Bounds(0, 0)
    return Bounds(min(configured.minimum, desired_count), max(configured.maximum, desired_count))
