"""Names that cross the boundaries between the stacks, the Lambda and the CLI.

Dependency-free on purpose: the CDK app, the Lambda asset, the CLI and the tests all import
it, so it may import nothing but the standard library."""

from __future__ import annotations

from typing import Final, Literal

Side = Literal["blue", "green"]
SIDES: Final[tuple[Side, Side]] = ("blue", "green")
