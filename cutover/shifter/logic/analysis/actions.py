"""What a verdict does in a bake, and how it is written down (docs/analysis.md, "What a verdict
does"). Pure: steps/bake.py acts on the answers, steps/judging.py records them.

- During a bake, every check's verdict: a fail rolls back at once (mode on); an inconclusive or
  a pass does nothing yet (the window is still growing).
- At the end of the bake, the latest verdict: pass ends the bake; inconclusive (or no verdict at
  all: no whole period yet) does what `on_inconclusive` says: extend the bake, at most
  `max_extensions` times and then `then`; pause for a promote; or roll back.
- Dry-run: the same decisions, recorded as what the judge would have done; nothing acts.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from cutover.shifter.contract import Side
from cutover.shifter.logic.analysis.models import InconclusiveAction, MetricVerdict, Mode, Outcome, SideSummary, Verdict

EndAction = Literal["done", "extend", "pause", "rollback"]

# Verdicts recorded in a deployment's timeline, beyond which only those that decide something
# are: the timeline travels in the execution's state (256 KiB, twice in a bake's Parallel) and
# in the history item (DynamoDB: 400 KB).
MAX_RECORDED_VERDICTS: Final = 24


def end_of_bake(rule: InconclusiveAction, latest: Outcome | None, extensions: int) -> EndAction:
    """What the end of a bake does with its latest verdict (None: never judged)."""
    if latest in ("pass", "fail"):  # a fail that did not roll back at once is a dry-run's
        return "done"
    if rule.action != "extend":
        return rule.action
    return "extend" if extensions < rule.max_extensions else rule.then


def acts(mode: Mode) -> bool:
    return mode == "on"


def outcomes_key(verdict: Verdict) -> str:
    """The verdict as far as a person would see a change: each metric's outcome."""
    return ",".join(f"{metric.metric}={metric.outcome}" for metric in verdict.metrics)


def failure_cause(verdict: Verdict, side: Side, weight: int) -> str:
    """The rollback's cause: the failing metrics by name, the first with its numbers."""
    names = ", ".join(metric.metric for metric in verdict.failed())
    return f"judge: {names} worse on {side} at {weight} %: {verdict.explanation.removeprefix('fail: ')}"


def inconclusive_cause(verdict: Verdict | None, side: Side, weight: int, seconds: int) -> str:
    why = verdict.explanation.removeprefix("inconclusive: ") if verdict else "no whole 60 s period since the shift"
    return f"judge: no conclusive verdict on {side} at {weight} % after {seconds} s ({why})"


def _rounded(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.4g}")


def _side(summary: SideSummary) -> dict[str, Any]:
    numbers: dict[str, Any] = {"side": summary.side, "periods": summary.periods, "requests": summary.requests}
    if summary.errors is not None:
        numbers["errors"] = summary.errors
    numbers["value"] = _rounded(summary.value)
    return numbers


def _metric(metric: MetricVerdict) -> dict[str, Any]:
    record: dict[str, Any] = {
        "metric": metric.metric,
        "outcome": metric.outcome,
        "test": metric.test,
        "new": _side(metric.new),
        "baseline": _side(metric.baseline),
        "tolerance": metric.tolerance,
        "confidence": metric.confidence,
    }
    optional = {
        "statistic": metric.statistic,
        "p_value": metric.p_value,
        "threshold": metric.threshold,
        "absolute_limit": metric.absolute_limit,
    }
    record.update({key: _rounded(value) for key, value in optional.items() if value is not None})
    if metric.outcome != "pass":  # why it is not a pass; a pass's numbers say it all
        record["explanation"] = metric.explanation
    return record


def verdict_detail(verdict: Verdict, *, mode: Mode, weight: int, check: int, decision: str | None) -> dict[str, Any]:
    """A timeline note's detail: every number that explains the verdict (docs/analysis.md)."""
    detail: dict[str, Any] = {
        "outcome": verdict.outcome,
        "mode": mode,
        "weight": weight,
        "check": check,
        "baseline": verdict.baseline_kind,
        "window": [verdict.new_window.start.isoformat(), verdict.new_window.end.isoformat()],
        "baseline_window": [verdict.baseline_window.start.isoformat(), verdict.baseline_window.end.isoformat()],
        "explanation": verdict.explanation,
        "metrics": [_metric(metric) for metric in verdict.metrics],
    }
    if decision is not None:
        detail["decision"] = decision
    return detail


# A pause the judge would have asked for, after a promote that skips every remaining pause.
PAUSE_SKIPPED = "not paused: a promote was already requested"


def decision_text(action: EndAction | Literal["rollback-now"], mode: Mode, rule: InconclusiveAction) -> str:
    """What the judge did (or, in dry-run, would have done), for the timeline and SNS."""
    done = {
        "rollback-now": "rolled back",
        "rollback": "rolled back",
        "extend": f"extended the bake by {rule.extend_seconds} s",
        "pause": "paused for a promote",
        "done": "ended the bake",
    }[action]
    return done if acts(mode) else f"dry-run: would have {done}"
