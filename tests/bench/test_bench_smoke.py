"""The benchmarks in quick mode (bench.report.QUICK): every figure measured with a handful
of samples on local AWS, the report written to a temporary path (never bench/RESULTS.md),
and each result checked for shape and sanity."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import report
from bench.cost import BAKE_SECONDS, POLL_INTERVAL_SECONDS, STRATEGIES, TERMINATION_WAIT_SECONDS
from bench.growth import STEP_BAKE_SECONDS
from bench.harness import ROOT
from bench.run import DEFAULT_OUTPUT, run_all
from bench.transitions import RATE_PER_SECOND

# One quick run serves every test of this module; it takes about a minute on an idle machine.
pytestmark = pytest.mark.timeout(900)


@dataclass(frozen=True)
class QuickRun:
    results: report.Results
    output: Path
    echoed: str


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> QuickRun:
    published = DEFAULT_OUTPUT.read_bytes() if DEFAULT_OUTPUT.exists() else None
    output = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    echoed: list[str] = []
    results = run_all(report.QUICK, output, echo=echoed.append)
    assert (DEFAULT_OUTPUT.read_bytes() if DEFAULT_OUTPUT.exists() else None) == published
    return QuickRun(results, output, "\n".join(echoed))


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


def test_cost_grows_with_the_strategy_and_is_positive(quick: QuickRun) -> None:
    cost = quick.results.cost
    assert cost is not None
    typical = {name: cost.typical(name) for name in STRATEGIES}
    assert [typical[name].shifts for name in ("all-at-once", "canary", "linear")] == [1, 2, 5]
    for measure in ("transitions", "invocations", "usd_total"):
        values = [getattr(typical[name], measure) for name in ("all-at-once", "canary", "linear")]
        assert values[0] < values[1] < values[2], (measure, values)
    for name, deployment in typical.items():
        assert deployment.status == "SUCCEEDED"
        assert cost.counts_stable(name)
        # The in-process runtime's record and the bench's timer saw the same invocations.
        assert deployment.invocations == len(deployment.handler_seconds) > 0
        assert deployment.usd_step_functions > 0 and deployment.usd_lambda > 0
        assert deployment.billed_gb_seconds > 0
        assert deployment.history_bytes > 0
        # Every bake polls once per interval; the final wait watches alarms too.
        bakes = deployment.shifts * BAKE_SECONDS + TERMINATION_WAIT_SECONDS
        assert deployment.wait_seconds >= bakes


def test_api_calls_follow_the_shifts_and_the_polls(quick: QuickRun) -> None:
    cost = quick.results.cost
    assert cost is not None
    for name in STRATEGIES:
        deployment = cost.typical(name)
        shifts = deployment.shifts
        assert deployment.calls("elbv2.ModifyListener") == shifts  # one verified change per shift
        assert deployment.calls("elbv2.DescribeListeners") >= shifts  # each read back
        assert deployment.calls("elbv2.DescribeTargetHealth") >= 1
        polls = (shifts * BAKE_SECONDS + TERMINATION_WAIT_SECONDS) // POLL_INTERVAL_SECONDS
        assert deployment.calls("cloudwatch.DescribeAlarms") >= polls
        assert deployment.calls_of_service("dynamodb") > 0


def test_growth_is_per_step(quick: QuickRun) -> None:
    growth = quick.results.growth
    assert growth is not None
    counts = sorted(growth.by_steps)
    assert counts == list(report.QUICK.growth_steps)
    transitions = [growth.by_steps[n].transitions for n in counts]
    assert transitions == sorted(transitions) and len(set(transitions)) == len(transitions)
    assert growth.marginal("transitions") > 0
    assert growth.counts_stable()
    low, high = counts[0], counts[-1]
    # Each added step adds exactly its bake to the requested Wait seconds.
    added = growth.by_steps[high].wait_seconds - growth.by_steps[low].wait_seconds
    assert added == pytest.approx((high - low) * STEP_BAKE_SECONDS)


def test_lambda_asset_and_cold_starts(quick: QuickRun) -> None:
    measured = quick.results.lambda_
    assert measured is not None
    asset = measured.asset
    ours = [ROOT / "cutover" / "__init__.py"] + [
        p for p in (ROOT / "cutover" / "shifter").rglob("*.py") if "__pycache__" not in p.parts
    ]
    assert asset.python_files == len(ours)
    assert 0 < asset.zip_bytes < asset.raw_bytes
    assert set(measured.cold) == {"workflow", "alarm_event"}
    for handler, cold in measured.cold.items():
        assert len(cold.samples) == report.QUICK.cold_samples
        assert cold.median("import_ms") > 0
        assert cold.median("first_invoke_ms") > 0
        if handler == "workflow":
            assert cold.median("first_aws_step_ms") > 0


def test_synth_grows_with_services(quick: QuickRun) -> None:
    synth = quick.results.synth
    assert synth is not None
    assert len(synth.single) == report.QUICK.synth_samples
    single = synth.single[0]
    assert single.stacks == 1 and single.resources > 50 and single.seconds > 0
    for count, sample in synth.by_services.items():
        assert sample.stacks == count
        assert sample.resources == count * single.resources


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
    assert quick.output != DEFAULT_OUTPUT
    text = quick.output.read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [heading.split(".")[0] for heading in headings] == [f"## {n}" for n in range(1, 9)]
    assert "quick run" in text and "| CPU |" in text and "| moto / boto3 |" in text
    for heading in headings:
        assert heading in quick.echoed
    assert quick.results.elapsed_seconds > 0
