"""Figure 7 (bench/judge.py) in quick mode: the judge on a few simulated deployments, the
figure's shape, the goals that hold even at these sample sizes, and its rendering."""

from __future__ import annotations

from bench import report
from bench.judge import BAKE_CHECKS, FINAL_CHECKS, TRADE_OFF, measure_judge
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
    # One call per check but the first of the bake and of the final wait (no whole period since the shift yet).
    assert (result.calls_per_deployment, result.queries_per_call) == (BAKE_CHECKS + FINAL_CHECKS - 2, 8)
    # The trade-off table: every setting measured, the default among them, marked in the report.
    assert [row.setting for row in result.trade_off] == list(TRADE_OFF)
    assert sum(row.setting.is_default() for row in result.trade_off) == 1
    for row in result.trade_off:
        assert len(row.p99.periods) == report.QUICK.judge_trials
        assert [runs.deployments for runs in row.canaries] == [report.QUICK.judge_deployments // 2] * 2
    text = "\n".join(render_judge(result))
    assert text.startswith("## 7. The judge")
    assert "| **5, 95%, 5%** | **3%** |" in text
    assert "never pass" in text and "18 calls per default canary" in text


def test_the_figure_is_reproducible() -> None:
    first, second = measure_judge(10, 5), measure_judge(10, 5)
    assert [r.metric_outcomes for r in first.canaries] == [r.metric_outcomes for r in second.canaries]
    assert [d.periods for d in first.detections] == [d.periods for d in second.detections]
    assert [r.p99.periods for r in first.trade_off] == [r.p99.periods for r in second.trade_off]
