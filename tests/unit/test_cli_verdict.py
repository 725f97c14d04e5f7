"""`cutover status` shows the judge's latest verdict per metric, both sides side by side: from
the running bake's notes on the lock, else from the latest deployment's history."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from cutover.cli.render import verdict
from cutover.cli.views import latest_verdict
from cutover.shifter.logic.analysis.actions import verdict_detail
from cutover.shifter.logic.analysis.judge import judge
from cutover.shifter.logic.analysis.models import JudgeConfig
from cutover.shifter.logic.history import HistoryRecord
from cutover.shifter.logic.state import TimelineEvent
from cutover.shifter.readers.lock import Lock
from tests.unit.shifter.analysis.samples import check

FAILING = judge(JudgeConfig(), check([3000] * 5, [60] * 5, [3000] * 5, [15] * 5, [0.12] * 5, [0.1] * 5))
DETAIL = verdict_detail(FAILING, mode="dry-run", weight=10, check=4, decision="dry-run: would have rolled back")


def record(*details: dict[str, Any]) -> HistoryRecord:
    timeline = tuple(TimelineEvent(at="2026-12-04T01:00:00+00:00", event="judged", detail=d) for d in details)
    return HistoryRecord.model_validate(
        {
            "service": "demo",
            "execution": "arn:aws:states:eu-west-1:123456789012:execution:cutover-demo:d1",
            "action": "deploy",
            "reason": "ship",
            "started_at": "2026-12-04T01:00:00+00:00",
            "outcome": "SUCCEEDED",
            "timeline": timeline,
        }
    )


def test_the_running_bakes_verdict_comes_first_then_the_latest_deployments() -> None:
    running = Lock(
        owner="arn:…:run",
        acquired_at="2026-12-04T01:00:00+00:00",
        expires_at=None,
        bake_notes={"bake": "step:0", "notes": [{"event": "judged", "detail": DETAIL}]},
    )
    older = {**DETAIL, "outcome": "pass"}
    assert latest_verdict(running, [record(older)]) == DETAIL
    assert latest_verdict(None, [record(DETAIL, older)]) == older
    assert latest_verdict(None, []) is None
    no_numbers = {"outcome": "inconclusive", "explanation": "no whole 60 s period"}
    assert latest_verdict(None, [record(no_numbers)]) is None  # nothing per metric to show


def test_status_draws_each_metric_with_both_sides() -> None:
    console = Console(width=200, record=True)
    console.print(verdict(DETAIL))
    text = console.export_text()
    assert "Judge fail  (dry-run, at 10 %, baseline same-window; dry-run: would have rolled back)" in text
    assert "error_rate" in text and "green: 2.00 % (15000 requests, 300 errors, 5 periods)" in text
    assert "blue: 0.50 % (15000 requests, 75 errors, 5 periods)" in text
    assert "latency_p99" in text and "green: 120.0 ms" in text and "blue: 100.0 ms" in text
