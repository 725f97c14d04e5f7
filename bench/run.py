"""`python -m bench.run [--quick] [--output PATH]`: measure every figure, print each as it
is measured, write the Markdown report (bench/RESULTS.md by default).

The full run's parameters are bench.report.FULL; `--quick` (bench.report.QUICK) takes a
handful of samples and is what the smoke test runs. Order: the two local stacks are
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
from collections.abc import Callable
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


def run_all(parameters: report.Parameters, output: Path, echo: Callable[[str], None] = print) -> report.Results:
    """Measure every figure with `parameters`, echo each, write the report to `output`."""
    started = time.perf_counter()
    results = report.Results(parameters=parameters, machine=machine())

    def show(lines: list[str]) -> None:
        echo("\n".join(lines))

    def stamp(what: str) -> None:
        echo(f"[{time.perf_counter() - started:5.0f} s] {what}")

    stamp("synthesizing the two local stacks (python app.py, local=true)")
    reaction_stack, cost_stack = local_assemblies(
        {"strategy_defaults": {"poll_interval_seconds": POLL_INTERVAL_SECONDS}}, STACK_DEFAULTS
    )

    stamp(f"figure 1: alarm reaction, {parameters.reaction_trials} trials per path")
    results.reaction = measure_reaction(parameters.reaction_trials, bake_wait_scale=parameters.reaction_bake_wait_scale)
    show(report.render_reaction(results.reaction))

    stamp(f"figures 2, 3 and 6: deployments, {parameters.cost_runs} run(s) per strategy")
    with deployment_session() as session:
        results.cost = measure_cost(parameters.cost_runs, session)
        show(report.render_cost(results.cost) + report.render_api_calls(results.cost))
        results.growth = measure_growth(parameters.growth_steps, parameters.cost_runs, session)
        show(report.render_growth(results.growth))

    stamp(f"figure 5: Lambda asset and cold starts, {parameters.cold_samples} samples per handler")
    results.lambda_ = measure_lambda(cost_stack, parameters.cold_samples)
    show(report.render_lambda(results.lambda_))

    stamp(f"figure 4: synth, {parameters.synth_samples} x 1 service, then {parameters.synth_service_counts}")
    results.synth = measure_synth(parameters.synth_samples, parameters.synth_service_counts)
    show(report.render_synth(results.synth))

    stamp(f"figure 7: the judge, {parameters.judge_deployments} simulated canaries per traffic level")
    results.judge = measure_judge(parameters.judge_deployments, parameters.judge_trials)
    show(render_judge(results.judge))

    what = "two transitions" if parameters.transitions_quick else "every transition"
    stamp(f"figure 8: production requests through {what}, at {RATE_PER_SECOND} requests/s")
    results.transitions = measure_transitions(parameters.transitions_quick, echo=echo)
    show(render_transitions(results.transitions))

    results.elapsed_seconds = time.perf_counter() - started
    results.machine["load at end"] = load_average()
    output.write_text(report.render(results))
    stamp(f"wrote {output} ({reaction_stack.name} and {cost_stack.name} were the local stacks)")
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
