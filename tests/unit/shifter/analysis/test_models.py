"""The judge's settings: built-in defaults, and what validation refuses, with the reason."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cutover.shifter.logic.analysis.models import JudgeConfig, PeriodJudge, Window
from tests.unit.shifter.analysis.samples import T0


def test_defaults_judge_the_built_in_metrics_and_act() -> None:
    config = JudgeConfig()
    assert (config.error_rate.tolerance, config.error_rate.confidence, config.error_rate.min_requests) == (
        0.25,
        0.99,
        2000,
    )
    assert list(config.period_judges()) == ["latency_p50", "latency_p99"]
    p99 = config.latency_p99
    assert (p99.direction, p99.tolerance, p99.confidence, p99.min_periods) == ("higher-is-worse", 0.05, 0.95, 5)
    assert (config.mode, config.on_fail, config.on_inconclusive.action) == ("off", "rollback", "extend")
    assert config.on_inconclusive.max_extensions == 2 and config.on_inconclusive.then == "pause"


def parse(document: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as raised:
        JudgeConfig.model_validate(document)
    return str(raised.value)


QUERY: dict[str, Any] = {"namespace": "App", "metric_name": "Orders", "dimensions": {"Side": "{side}"}}
USER: dict[str, Any] = {"name": "orders", "query": QUERY}


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"latency_p99": {"min_periods": 3}}, "min_periods 3 can never fail at confidence 0.95"),
        ({"latency_p99": {"confidence": 0.999, "min_periods": 6}}, "needs at least 7"),
        ({"error_rate": {"tolerance": "0.1"}}, "valid number"),
        ({"error_rate": {"tolerance": -0.1}}, "greater than or equal to 0"),
        ({"mode": "yes"}, "'off', 'dry-run' or 'on'"),
        ({"mode": True}, "'off', 'dry-run' or 'on'"),
        ({"on_inconclusive": {"action": "ignore"}}, "'extend', 'pause' or 'rollback'"),
        ({"on_inconclusive": {"max_extensions": 10}}, "less than or equal to 6"),
        ({"user_metrics": [{**USER, "query": {**QUERY, "dimensions": {"Side": "blue"}}}]}, "both sides would"),
        ({"user_metrics": [{**USER, "name": "error_rate"}]}, "is a built-in metric"),
        ({"user_metrics": [{**USER, "name": "Orders-1"}]}, "lower-case letters"),
        ({"user_metrics": [USER, USER]}, "duplicate metric names: orders"),
        ({"user_metrics": [{**USER, "query": {**QUERY, "stat": "p999x"}}]}, "a percentile such as p99"),
        ({"latency": {}}, "Extra inputs are not permitted"),
    ],
)
def test_validation_refuses_with_the_reason(document: dict[str, Any], reason: str) -> None:
    assert reason in parse(document)


def test_a_user_metric_with_its_side_placeholder_parses() -> None:
    config = JudgeConfig.model_validate({"user_metrics": [{**USER, "direction": "lower-is-worse"}]})
    assert config.user_metrics[0].query.for_side("green") == {"Side": "green"}
    assert config.user_metrics[0].min_requests == 0
    assert "orders" in config.period_judges()


def test_min_periods_can_be_raised_above_what_the_confidence_needs() -> None:
    assert PeriodJudge(min_periods=10).min_periods == 10


def test_windows_are_whole_aligned_periods() -> None:
    with pytest.raises(ValidationError, match="whole 60 s periods"):
        Window(start=T0, end=T0 + timedelta(seconds=90))
    with pytest.raises(ValidationError, match="whole 60 s periods"):
        Window(start=T0 + timedelta(seconds=30), end=T0 + timedelta(seconds=90))
    assert Window(start=T0, end=T0 + timedelta(minutes=3)).periods == 3


def test_the_example_in_docs_analysis_parses() -> None:
    text = (Path(__file__).resolve().parents[4] / "docs" / "analysis.md").read_text()
    example = json.loads(text.split("```json\n", 1)[1].split("```", 1)[0])
    config = JudgeConfig.model_validate(example["analysis"])
    assert config.mode == "dry-run" and config.user_metrics[0].query.for_side("blue")["Side"] == "blue"
