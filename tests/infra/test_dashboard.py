"""The dashboard graphs what the judge compares (docs/analysis.md, "On the dashboard"): both
sides' error rate on one graph, as a metric math expression per side, and both sides' p99 on
another, from the ALB's target-group metrics the judge reads."""

from __future__ import annotations

import json
from typing import Any

from cutover.cdk.dashboard import ERROR_RATE_TITLE, P99_TITLE
from cutover.shifter.contract import SIDES
from cutover.shifter.logic.analysis.queries import ALB_NAMESPACE
from tests.infra.test_topology import default_template, target_group_id
from tests.synth import one_resource


def _token(part: dict[str, Any]) -> str:
    """A CloudFormation intrinsic inside the body, as a readable marker."""
    if "Ref" in part:
        return f"<{part['Ref']}>"
    if "Fn::GetAtt" in part:
        return f"<{'.'.join(part['Fn::GetAtt'])}>"
    index, split = part["Fn::Select"]
    separator, source = split["Fn::Split"]
    return f"<{source['Ref']} split {separator!r} [{index}]>"


def dashboard_body(template: dict[str, Any]) -> dict[str, Any]:
    """The DashboardBody as the JSON CloudFormation would send, intrinsics replaced by markers."""
    parts = one_resource(template, "AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"]["Fn::Join"][1]
    body: dict[str, Any] = json.loads("".join(p if isinstance(p, str) else _token(p) for p in parts))
    return body


def widget(body: dict[str, Any], title: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [w["properties"] for w in body["widgets"] if w["properties"].get("title") == title]
    assert len(found) == 1, title
    return found[0]


def test_one_graph_holds_both_sides_error_rate_as_5xx_over_requests() -> None:
    template = default_template()
    body = dashboard_body(template)
    metrics = widget(body, ERROR_RATE_TITLE)["metrics"]
    alb_dimension = metrics[1][3]
    # The ALB's dimension value is `app/<name>/<id>`: parts 1..3 of one of its listeners' ARN
    # (`...:listener/app/<name>/<id>/<listener id>`), as the judge derives it (queries.alb_targets).
    listener_id = alb_dimension.split(" ")[0].removeprefix("<")
    assert alb_dimension == "/".join(f"<{listener_id} split '/' [{index}]>" for index in (1, 2, 3))
    listener = template["Resources"][listener_id]
    assert listener["Type"] == "AWS::ElasticLoadBalancingV2::Listener"
    alb = one_resource(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert template["Resources"][listener["Properties"]["LoadBalancerArn"]["Ref"]] == alb
    for side in SIDES:
        group = f"<{target_group_id(template, side)}.TargetGroupFullName>"
        expression = [m[0] for m in metrics if len(m) == 1 and m[0].get("label") == f"{side} error rate"]
        assert expression == [
            {
                "label": f"{side} error rate",
                "expression": f"100 * FILL(errors_{side}, 0) / requests_{side}",
                "period": 60,
            }
        ]
        for query_id, metric_name in (
            (f"errors_{side}", "HTTPCode_Target_5XX_Count"),
            (f"requests_{side}", "RequestCount"),
        ):
            (used,) = [m for m in metrics if isinstance(m[-1], dict) and m[-1].get("id") == query_id]
            assert used == [
                ALB_NAMESPACE,
                metric_name,
                "LoadBalancer",
                alb_dimension,
                "TargetGroup",
                group,
                {"id": query_id, "visible": False, "period": 60, "stat": "Sum"},
            ]
    assert widget(body, ERROR_RATE_TITLE)["yAxis"] == {"left": {"min": 0}}


def test_one_graph_holds_both_sides_p99_response_time() -> None:
    template = default_template()
    metrics = widget(dashboard_body(template), P99_TITLE)["metrics"]
    assert [(m[1], m[5], m[-1]) for m in metrics] == [
        (
            "TargetResponseTime",
            f"<{target_group_id(template, side)}.TargetGroupFullName>",
            {"label": f"{side} p99", "period": 60, "stat": "p99"},
        )
        for side in SIDES
    ]
    assert {(m[0], m[2], m[4]) for m in metrics} == {(ALB_NAMESPACE, "LoadBalancer", "TargetGroup")}
