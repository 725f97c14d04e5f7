"""One quick bench run (bench.report.QUICK) of some of the figures, for a smoke test module: the
report written to a temporary path (never bench/RESULTS.md), and what it echoed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import report
from bench.run import DEFAULT_OUTPUT, run_all


@dataclass(frozen=True)
class QuickRun:
    figures: Collection[int]
    results: report.Results
    output: Path
    echoed: str


def quick_run(tmp_path_factory: pytest.TempPathFactory, figures: Collection[int]) -> QuickRun:
    published = DEFAULT_OUTPUT.read_bytes() if DEFAULT_OUTPUT.exists() else None
    output = tmp_path_factory.mktemp("bench") / "RESULTS.md"
    echoed: list[str] = []
    results = run_all(report.QUICK, output, echo=echoed.append, figures=figures)
    assert (DEFAULT_OUTPUT.read_bytes() if DEFAULT_OUTPUT.exists() else None) == published
    return QuickRun(figures, results, output, "\n".join(echoed))


def assert_the_report_is_written_where_asked_and_printed_as_measured(quick: QuickRun) -> None:
    """The report at the asked path holds the measured figures' sections, in order, each echoed."""
    assert quick.output != DEFAULT_OUTPUT
    text = quick.output.read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [heading.split(".")[0] for heading in headings] == [f"## {n}" for n in sorted(quick.figures)]
    assert "quick run" in text and "| CPU |" in text and "| moto / boto3 |" in text
    for heading in headings:
        assert heading in quick.echoed
    assert quick.results.elapsed_seconds > 0
