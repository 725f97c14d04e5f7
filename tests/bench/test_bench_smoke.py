"""The benchmarks in quick mode (bench.report.QUICK), the figures that do not time what they
measure (bench.run.TIMED_FIGURES are tests/bench/test_bench_timing_smoke.py's, run serially): each
measured with a handful of samples on local AWS, the report written to a temporary path (never
bench/RESULTS.md), and each result checked for shape and sanity."""

from __future__ import annotations

import pytest

from bench import report
from bench.cost import BAKE_SECONDS, POLL_INTERVAL_SECONDS, STRATEGIES, TERMINATION_WAIT_SECONDS
from bench.growth import STEP_BAKE_SECONDS
from bench.harness import ROOT
from bench.run import ALL_FIGURES, DEFAULT_OUTPUT, TIMED_FIGURES
from tests.bench.quick import QuickRun, assert_the_report_is_written_where_asked_and_printed_as_measured, quick_run

# One quick run serves every test of this module; it takes about a minute on an idle machine.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> QuickRun:
    return quick_run(tmp_path_factory, ALL_FIGURES - TIMED_FIGURES)


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


def test_the_report_is_written_where_asked_and_printed_as_measured(quick: QuickRun) -> None:
    assert_the_report_is_written_where_asked_and_printed_as_measured(quick)
    assert quick.results.reaction is None and quick.results.transitions is None  # not measured here


def test_the_published_report_holds_every_figure() -> None:
    """`make bench` measures all of them (run_all's default) into bench/RESULTS.md."""
    headings = [line.split(".")[0] for line in DEFAULT_OUTPUT.read_text().splitlines() if line.startswith("## ")]
    assert headings == [f"## {n}" for n in sorted(ALL_FIGURES)]
