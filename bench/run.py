"""`python -m bench.run [--quick] [--output PATH]`: measure every figure, print each as it
is measured, write the Markdown report (bench/RESULTS.md by default).

The full run's parameters are bench.report.FULL; `--quick` (bench.report.QUICK) takes a
handful of samples and is what the smoke tests run: figures 1 and 8, which time what they
measure (TIMED_FIGURES), alone in a serial test; the others beside other tests. Order: the two local stacks are
synthesized first (in parallel), then the moto figures (1; 2, 3 and 6 on one stack), the
cold starts (5), the synth times (4), the judge (7) and the transitions under load (8),
each in the foreground alone.

`--figure 8` measures figure 8 alone and replaces its section of the report, keeping the other
figures as they were (the section then says when, and at what load, it was measured).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.cost import STACK_DEFAULTS, deployment_session, measure_cost
from bench.growth import measure_growth
from bench.harness import load_average, local_assemblies, machine
from bench.judge import measure_judge
from bench.judge_report import render_judge
from bench.lambda_figure import measure_lambda
from bench.reaction import POLL_INTERVAL_SECONDS, measure_reaction
from bench.synth_figure import measure_synth
from bench.transitions import RATE_PER_SECOND, TransitionsResult, measure_transitions
from bench.transitions_report import render_transitions

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "RESULTS.md"


ALL_FIGURES = frozenset(range(1, 9))
# Figures 1 and 8 time what they measure (an alarm's reaction, production requests through listener
# changes that propagate on a schedule): they need the cores to themselves. The others count calls
# and states, simulate, or time a synth or an import only to report it.
TIMED_FIGURES = frozenset({1, 8})


Show = Callable[[list[str]], None]


def _reaction(parameters: report.Parameters, results: report.Results, show: Show, figures: set[int]) -> None:
    results.reaction = measure_reaction(parameters.reaction_trials, bake_wait_scale=parameters.reaction_bake_wait_scale)
    show(report.render_reaction(results.reaction))


def _deployments(parameters: report.Parameters, results: report.Results, show: Show, figures: set[int]) -> None:
    with deployment_session() as session:
        if {2, 3} & figures:
            results.cost = measure_cost(parameters.cost_runs, session)
            show(report.render_cost(results.cost) + report.render_api_calls(results.cost))
        if 6 in figures:
            results.growth = measure_growth(parameters.growth_steps, parameters.cost_runs, session)
            show(report.render_growth(results.growth))


def _lambda(parameters: report.Parameters, results: report.Results, show: Show, figures: set[int]) -> None:
    (cost_stack,) = local_assemblies(STACK_DEFAULTS)
    results.lambda_ = measure_lambda(cost_stack, parameters.cold_samples)
    show(report.render_lambda(results.lambda_))


def _synth(parameters: report.Parameters, results: report.Results, show: Show, figures: set[int]) -> None:
    results.synth = measure_synth(parameters.synth_samples, parameters.synth_service_counts)
    show(report.render_synth(results.synth))


def _judge(parameters: report.Parameters, results: report.Results, show: Show, figures: set[int]) -> None:
    results.judge = measure_judge(parameters.judge_deployments, parameters.judge_trials)
    show(render_judge(results.judge))


def _transitions(parameters: report.Parameters, results: report.Results, show: Show, figures: set[int]) -> None:
    results.transitions = measure_transitions(parameters.transitions_quick, echo=lambda line: show([line]))
    show(render_transitions(results.transitions))


Measure = Callable[[report.Parameters, report.Results, Show, set[int]], None]
# In the order they run: each figure (or figures measured together) with what the run prints first.
STAGES: list[tuple[frozenset[int], Callable[[report.Parameters], str], Measure]] = [
    (frozenset({1}), lambda p: f"figure 1: alarm reaction, {p.reaction_trials} trials per path", _reaction),
    (
        frozenset({2, 3, 6}),
        lambda p: f"figures 2, 3 and 6: deployments, {p.cost_runs} run(s) per strategy",
        _deployments,
    ),
    (
        frozenset({5}),
        lambda p: f"figure 5: Lambda asset and cold starts, {p.cold_samples} samples per handler",
        _lambda,
    ),
    (
        frozenset({4}),
        lambda p: f"figure 4: synth, {p.synth_samples} x 1 service, then {p.synth_service_counts}",
        _synth,
    ),
    (
        frozenset({7}),
        lambda p: f"figure 7: the judge, {p.judge_deployments} simulated canaries per traffic level",
        _judge,
    ),
    (
        frozenset({8}),
        lambda p: (
            f"figure 8: production requests through {'two transitions' if p.transitions_quick else 'every transition'}"
            f", at {RATE_PER_SECOND} requests/s"
        ),
        _transitions,
    ),
]
ALL_FIGURES = frozenset(range(1, 9))
# Figures 1 and 8 time what they measure (an alarm's reaction, production requests through listener
# changes that propagate on a schedule): they need the cores to themselves. The others count calls
# and states, simulate, or time a synth or an import only to report it.
TIMED_FIGURES = frozenset({1, 8})


def run_all(
    parameters: report.Parameters,
    output: Path,
    echo: Callable[[str], None] = print,
    figures: Collection[int] = ALL_FIGURES,
) -> report.Results:
    """Measure `figures` (every one by default) with `parameters`, echo each, write the report
    of those figures to `output`."""
    selected = set(figures)
    if not selected or selected - ALL_FIGURES:
        raise ValueError(f"figures {sorted(selected)}: choose among {sorted(ALL_FIGURES)}")
    started = time.perf_counter()
    results = report.Results(parameters=parameters, machine=machine())

    def show(lines: list[str]) -> None:
        echo("\n".join(lines))

    def stamp(what: str) -> None:
        echo(f"[{time.perf_counter() - started:5.0f} s] {what}")

    # The local stacks the figures deploy, synthesized up front two at a time (cached per process).
    variants = [{"strategy_defaults": {"poll_interval_seconds": POLL_INTERVAL_SECONDS}}] if 1 in selected else []
    variants += [STACK_DEFAULTS] if {2, 3, 5, 6} & selected else []
    stamp(f"synthesizing the {len(variants)} local stack(s) the figures deploy (python app.py, local=true)")
    stacks = local_assemblies(*variants)
    for stage_figures, describe, measure in STAGES:
        if stage_figures & selected:
            stamp(describe(parameters))
            measure(parameters, results, show, selected)

    results.elapsed_seconds = time.perf_counter() - started
    results.machine["load at end"] = load_average()
    output.write_text(report.render(results))
    stamp(f"wrote {output} (local stacks: {', '.join(stack.name for stack in stacks) or 'none'})")
    return results


FIGURE_HEADING = "## 8. "


def replace_section(report_text: str, heading: str, section: list[str]) -> str:
    """`report_text` with the section that starts at `heading` (up to the next `## `) replaced."""
    lines = report_text.rstrip("\n").split("\n")
    starts = [index for index, line in enumerate(lines) if line.startswith(heading)]
    if not starts:
        return "\n".join([*lines, "", *section]).rstrip() + "\n"
    start = starts[0]
    end = next((index for index in range(start + 1, len(lines)) if lines[index].startswith("## ")), len(lines))
    body = "\n".join(section).rstrip("\n").split("\n")
    after = ["", *lines[end:]] if end < len(lines) else []
    return "\n".join([*lines[:start], *body, *after]).rstrip() + "\n"


def run_figure_8(output: Path, echo: Callable[[str], None] = print) -> TransitionsResult:
    """Measure figure 8 alone (every transition and the control) and replace its section of `output`."""
    load_at_start = load_average()
    result = measure_transitions(quick=False, echo=echo)
    section = render_transitions(result)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section[1:1] = [
        "",
        f"Measured by itself (`python -m bench.run --figure 8`, {result.elapsed_seconds:.0f} s) on {when}, "
        f"while the machine ran other work: load average (1 min) {load_at_start} at the start and "
        f"{load_average()} at the end; the machine table above is the full run's.",
    ]
    echo("\n".join(section))
    previous = output.read_text() if output.exists() else ""
    output.write_text(replace_section(previous, FIGURE_HEADING, section))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a handful of samples per figure (the smoke test's)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"report path (default {DEFAULT_OUTPUT})")
    parser.add_argument(
        "--figure", type=int, choices=[8], help="measure this figure alone and replace its section of the report"
    )
    arguments = parser.parse_args(argv)
    # moto warns about resources it skips; Powertools warns about flushes without metrics.
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.WARNING)
    if arguments.figure == 8:
        result = run_figure_8(arguments.output)
        return 0 if all(row.as_expected and row.platform_failures == 0 for row in result.rows) else 1
    run_all(report.QUICK if arguments.quick else report.FULL, arguments.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
