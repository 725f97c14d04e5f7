"""`cutover watch` shows the judge while a deployment runs: each verdict once, as one line, when
it is recorded, and the latest with its numbers in the final result (text and JSON).

The views are recorded data: what `rollout_view` reads from Step Functions, the lock and the
history at successive refreshes of one canary (no AWS here); the verdicts are the judge's own
output on generated samples, recorded as steps/judging.py records them.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from rich.console import Console

from cutover.cli import json_output
from cutover.cli.render import verdict_line
from cutover.cli.views import RolloutView, recorded_verdicts
from cutover.cli.watching import follow_views
from cutover.shifter.logic.analysis.actions import verdict_detail
from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import JudgeConfig
from tests.unit.shifter.analysis.samples import check

ARN = "arn:aws:states:eu-west-1:123456789012:execution:cutover-demo:deploy-1"
CONFIG = JudgeConfig(mode="dry-run")
# Three periods: the latency tests cannot decide yet (5 periods, the default minimum); the error rate passes.
EARLY = judge(CONFIG, check([3000] * 3, [15] * 3, [3000] * 3, [15] * 3, [0.1] * 3, [0.1] * 3))
# Five periods, 2 % errors on the new side against 0.5 %, p99 20 % slower.
FAILING = judge(CONFIG, check([3000] * 5, [60] * 5, [3000] * 5, [15] * 5, [0.12] * 5, [0.1] * 5))


def judged(at: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"at": at, "event": "judged", "detail": detail}


FIRST = judged("2026-12-04T01:03:00+00:00", verdict_detail(EARLY, mode="dry-run", weight=10, check=3, decision=None))
SECOND = judged(
    "2026-12-04T01:05:00+00:00",
    verdict_detail(FAILING, mode="dry-run", weight=10, check=5, decision="dry-run: would have rolled back"),
)
NO_PERIOD = judged(
    "2026-12-04T01:00:30+00:00",
    {
        "outcome": "inconclusive",
        "mode": "dry-run",
        "weight": 10,
        "check": 1,
        "explanation": "no whole 60 s period since the shift",
        "decision": "dry-run: would have extended the bake by 300 s",
    },
)


def view(status: str, *timelines: list[dict[str, Any]], blue: int = 90) -> RolloutView:
    return RolloutView(
        execution=ARN,
        status=status,
        error=None,
        cause=None,
        output=None,
        weights={"blue": blue, "green": 100 - blue},
        phase="bake" if status == "RUNNING" else None,
        new_side="green",
        bake={"seconds": 300, "elapsed_seconds": 60, "pause": False} if status == "RUNNING" else None,
        states=("CheckBake",),
        verdicts=recorded_verdicts(*timelines),
    )


# What successive refreshes read: the state's timeline, the lock's copy of the running bake's
# notes (ahead of the state between two polls), then the history record once it has ended.
REFRESHES = [
    view("RUNNING", []),
    view("RUNNING", [NO_PERIOD], [NO_PERIOD, FIRST]),
    view("RUNNING", [NO_PERIOD, FIRST], [NO_PERIOD, FIRST]),
    view("RUNNING", [NO_PERIOD, FIRST], [NO_PERIOD, FIRST, SECOND]),
    view("SUCCEEDED", [NO_PERIOD, FIRST, SECOND], [], [NO_PERIOD, FIRST, SECOND], blue=0),
]


def watched(*, terminal: bool = False, interval: float = 0) -> tuple[RolloutView, str]:
    refreshes = iter(REFRESHES)
    console = Console(width=300, record=True, force_terminal=terminal)
    final = follow_views(lambda: next(refreshes), console, interval=interval, timeout=60)
    return final, console.export_text()


def test_each_verdict_is_one_line_printed_once_when_recorded() -> None:
    final, text = watched()
    lines = [line for line in text.splitlines() if line.startswith("Judge     ")]
    assert lines == [
        "Judge     check 1 at 10 %: inconclusive · no whole 60 s period since the shift"
        " → dry-run: would have extended the bake by 300 s",
        "Judge     check 3 at 10 %: inconclusive (dry-run) · error_rate pass green 0.50 % vs blue 0.50 % p=0.88"
        " · latency_p50 inconclusive green 100.0 ms vs blue 100.0 ms"
        " · latency_p99 inconclusive green 100.0 ms vs blue 100.0 ms",
        "Judge     check 5 at 10 %: fail · error_rate fail green 2.00 % vs blue 0.50 % p=1e-23"
        " · latency_p50 fail green 120.0 ms vs blue 100.0 ms p=0.002"
        " · latency_p99 fail green 120.0 ms vs blue 100.0 ms p=0.002 → dry-run: would have rolled back",
    ]
    assert final.status == "SUCCEEDED"


# 0.3 s between refreshes: the live view (4 Hz) redraws between them, as it does on a loaded machine.
@pytest.mark.parametrize("interval", [0, 0.3])
def test_on_a_terminal_the_lines_stay_above_the_live_view_and_it_ends_with_the_table(interval: float) -> None:
    _, text = watched(terminal=True, interval=interval)
    # Searched, not matched at line starts: in the recorded text (cursor controls stripped) a line
    # printed just after the live view refreshed follows that view's last line, which a terminal
    # would have erased first; whether the refresh thread (4 Hz) drew before it depends on timing.
    assert re.findall(r"Judge     check \d+ at \d+ %", text) == [
        "Judge     check 1 at 10 %",
        "Judge     check 3 at 10 %",
        "Judge     check 5 at 10 %",
    ]
    assert "Execution deploy-1  SUCCEEDED" in text and "Judge fail  (dry-run, at 10 %" in text


def test_the_final_result_shows_the_latest_verdict_with_both_sides() -> None:
    _, text = watched()
    final_table = text[text.rindex("Judge fail") :]
    assert "(dry-run, at 10 %, baseline same-window; dry-run: would have rolled back)" in final_table
    assert "green: 2.00 % (15000 requests, 300 errors, 5 periods)" in final_table
    assert "blue: 0.50 % (15000 requests, 75 errors, 5 periods)" in final_table


def test_a_final_wait_verdict_names_its_before_shift_baseline() -> None:
    samples = check([3000] * 3, [15] * 3, [3000] * 3, [15] * 3, [0.1] * 3, [0.1] * 3, baseline_kind="before-shift")
    at_100 = verdict_detail(judge(CONFIG, samples), mode="on", weight=100, check=2, decision=None)
    assert verdict_line(at_100).plain.startswith(
        "Judge     check 2 at 100 % vs the old side before the shift: inconclusive · error_rate pass"
    )


def test_json_result_holds_the_latest_verdict_and_every_recorded_one() -> None:
    final, _ = watched()
    document = json.loads(json.dumps(json_output.execution("cutover-demo", final, 0)))
    assert [verdict["check"] for verdict in document["verdicts"]] == [1, 3, 5]
    latest = document["verdict"]
    assert latest == {"at": SECOND["at"], **SECOND["detail"]}
    error_rate = latest["metrics"][0]
    assert error_rate["metric"] == "error_rate" and error_rate["outcome"] == "fail"
    assert (error_rate["new"]["side"], error_rate["new"]["errors"], error_rate["baseline"]["errors"]) == (
        "green",
        300,
        75,
    )
    unjudged = replace(final, verdicts=())
    assert json_output.execution("cutover-demo", unjudged, 0)["verdict"] is None
