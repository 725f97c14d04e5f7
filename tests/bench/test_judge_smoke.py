"""Figure 7 (bench/judge.py) in quick mode: the judge on a few simulated deployments, the
figure's shape, the goals that hold even at these sample sizes, and its rendering."""

from __future__ import annotations

from bench import report
from bench.judge import BAKE_CHECKS, FINAL_CHECKS, measure_judge
from bench.judge_report import render_judge


def test_the_judge_figure_in_quick_mode() -> None:
    result = measure_judge(report.QUICK.judge_deployments, report.QUICK.judge_trials)
    for runs in result.canaries:
        assert runs.deployments == report.QUICK.judge_deployments
        assert sum(runs.metric_outcomes.values()) == runs.deployments * (BAKE_CHECKS + FINAL_CHECKS) * 3
        assert runs.false_positive_rate <= 0.1  # a handful of deployments: far from the 2 % goal's precision
    errors, p99 = result.detections
    assert len(errors.periods) == len(p99.periods) == report.QUICK.judge_trials
    assert errors.median() <= 2 and p99.median() <= 6
    low = result.low_traffic
    assert low.metric_outcomes["pass"] == 0 and low.end_of_bake["inconclusive"] == low.deployments
    assert (result.calls_per_deployment, result.queries_per_call) == (BAKE_CHECKS + FINAL_CHECKS, 8)
    text = "\n".join(render_judge(result))
    assert text.startswith("## 7. The judge")
    assert "never pass" in text and "20 calls per default canary" in text


def test_the_figure_is_reproducible() -> None:
    first, second = measure_judge(10, 5), measure_judge(10, 5)
    assert [r.metric_outcomes for r in first.canaries] == [r.metric_outcomes for r in second.canaries]
    assert [d.periods for d in first.detections] == [d.periods for d in second.detections]
