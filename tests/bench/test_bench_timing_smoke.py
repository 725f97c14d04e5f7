"""The benchmarks in quick mode (bench.report.QUICK), the figures that time what they measure
(bench.run.TIMED_FIGURES: the alarm's reaction on each path, production requests through
transitions): serial, so no other test's worker takes the cores from the timings. The other
figures are tests/bench/test_bench_smoke.py's."""

from __future__ import annotations

import pytest

from bench import report
from bench.run import TIMED_FIGURES
from bench.transitions import RATE_PER_SECOND
from tests.bench.quick import QuickRun, assert_the_report_is_written_where_asked_and_printed_as_measured, quick_run

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> QuickRun:
    return quick_run(tmp_path_factory, TIMED_FIGURES)


def test_the_event_path_reacts_faster_than_polling(quick: QuickRun) -> None:
    reaction = quick.results.reaction
    assert reaction is not None
    trials = report.QUICK.reaction_trials
    assert (len(reaction.of("event")), len(reaction.of("polling"))) == (trials, trials)
    assert reaction.mismatched() == []  # each rollback came from the path under test
    assert all(t.reaction_ms > 0 for t in reaction.trials)
    assert all(0 < (t.listener_ms or 0) < t.reaction_ms for t in reaction.trials if t.path == "event")
    poll_ms = reaction.effective_poll_seconds * 1000
    assert reaction.median("event") < reaction.median("polling")
    assert reaction.median("event") < poll_ms  # the event path does not wait for a poll
    assert reaction.maximum("polling") < poll_ms + 5_000  # at most one poll interval plus processing
    assert reaction.ratio > 1


def test_production_requests_are_counted_through_each_transition(quick: QuickRun) -> None:
    transitions = quick.results.transitions
    assert transitions is not None and transitions.control is None  # the control runs in the full bench only
    assert [(row.name, row.outcome) for row in transitions.rows] == [
        ("canary deployment", "SUCCEEDED"),
        ("abort mid-bake", "DeploymentRolledBack"),
    ]
    canary, abort = transitions.rows
    assert canary.versions.startswith("v1 ") and "v2 " in canary.versions  # the load saw both releases
    assert "v3 " in abort.versions  # the aborted release had half the traffic before the abort
    for row in transitions.rows:
        assert row.platform_failures == 0, row
        assert row.served >= 0.5 * RATE_PER_SECOND * row.seconds, row  # the load ran at its rate
    assert transitions.propagation_seconds == 30 and transitions.time_scale == 0.01


def test_the_report_is_written_where_asked_and_printed_as_measured(quick: QuickRun) -> None:
    assert_the_report_is_written_where_asked_and_printed_as_measured(quick)
