"""State names Step Functions accepts.

ASL: "The state name, whose length MUST BE less than or equal to 80 Unicode characters"
(https://states-language.net/spec.html, States); CreateStateMachine refuses a definition
with a longer one. CDK uses a state's construct id as its name.
"""

from __future__ import annotations

from typing import Final

MAX_STATE_NAME_LENGTH: Final = 80
_ELLIPSIS: Final = "…"


def fit_state_name(prefix: str, name: str) -> str:
    """`prefix` + `name`, with the end of `name` cut (and marked …) to fit 80 characters.
    The prefix must already make the state unique: the cut part is not needed for that."""
    room = MAX_STATE_NAME_LENGTH - len(prefix)
    if room <= len(_ELLIPSIS):
        raise ValueError(f"state name prefix too long: {prefix!r}")
    if len(name) <= room:
        return prefix + name
    return prefix + name[: room - len(_ELLIPSIS)] + _ELLIPSIS
