"""Each invocation's metrics carry its own Service, with no Powertools warning."""

from __future__ import annotations

import json
import warnings

import pytest
from aws_lambda_powertools.metrics import MetricUnit

from cutover.shifter.observability import metrics, use_service_dimension


def _invocation(service: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    use_service_dimension(service)
    metrics.add_metric(name="Deployments", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    emitted: dict[str, object] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return emitted


def test_two_services_in_one_process_each_get_their_own_service_dimension(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        services = [_invocation(name, capsys)["Service"] for name in ("app", "shop", "app")]
    assert services == ["app", "shop", "app"]


def test_an_invocation_without_metrics_leaves_nothing_for_the_next(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    use_service_dimension("app")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Powertools: "No application metrics to publish"
        metrics.flush_metrics()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _invocation("app", capsys)["Service"] == "app"
