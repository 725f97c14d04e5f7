"""An image the app supplies itself, for a service configured with `image="asset"`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aws_cdk import aws_ecs as ecs


@dataclass(frozen=True)
class SuppliedImage:
    """What CDK builds or references for both sides, and what running it needs.

    The shifter deploys later images by reference (`cutover deploy repository:tag`); this is the
    image the stack starts with, e.g. `ecs.ContainerImage.from_asset(<your Dockerfile's directory>)`.
    """

    image: ecs.ContainerImage
    # The container's stopTimeout (Fargate allows at most 120 s): the time from SIGTERM to SIGKILL,
    # which must cover what the image does to drain after the target group's deregistration delay.
    stop_timeout_seconds: int
    # Variables the image needs, on both sides' containers (the configuration's `environment` is added).
    environment: Mapping[str, str] = field(default_factory=dict)
