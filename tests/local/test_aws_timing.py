"""AWS's timing runs on the run's compressed clock: AWS seconds = real seconds / scale."""

from __future__ import annotations

import pytest

from cutover.local import time_compression
from cutover.local.aws_timing import AwsTiming, VirtualClock


class FakeMonotonic:
    """Real time, advanced by the test (what time.monotonic would return)."""

    def __init__(self) -> None:
        self.seconds = 500.0

    def __call__(self) -> float:
        return self.seconds


def test_aws_seconds_are_real_seconds_divided_by_the_scale_and_a_new_scale_does_not_jump(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = FakeMonotonic()
    monkeypatch.setattr(time_compression.recorder, "scale", 0.01)
    clock = VirtualClock(monotonic=real)
    start = clock.now()

    real.seconds += 0.3
    assert clock.now() - start == pytest.approx(30.0)  # the demo's scale: 0.3 s real is 30 s on AWS
    monkeypatch.setattr(time_compression.recorder, "scale", 0.001)  # e.g. the next test installs its own
    real.seconds += 0.03
    reading = clock.now()
    assert reading - start == pytest.approx(30.0 + 30.0)
    assert clock.now() == reading  # no real time passed: no AWS time either
    assert clock.real_seconds(60) == pytest.approx(0.06)


def test_the_nodes_pick_a_change_up_spread_over_the_window_the_last_at_its_end() -> None:
    assert AwsTiming(listener_propagation_seconds=30, propagation_nodes=3).node_delays() == (10.0, 20.0, 30.0)
    assert AwsTiming(listener_propagation_seconds=30, propagation_nodes=1).node_delays() == (30.0,)
    assert AwsTiming(listener_propagation_seconds=0).node_delays() == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    "knobs",
    [{"propagation_nodes": 0}, {"listener_propagation_seconds": -1}, {"health_checks_to_healthy": 0}],
)
def test_impossible_timings_are_refused(knobs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        AwsTiming(**knobs)  # type: ignore[arg-type]
