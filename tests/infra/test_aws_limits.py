"""Synthesized templates stay inside limits CloudFormation and its services enforce on deploy."""

from __future__ import annotations

import json

from tests.synth import resources_of_type, synth

INTERNAL_WITH_CIDRS = {"internet_facing": False, "test_route_cidrs": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}


def test_test_route_rules_have_at_most_five_values_and_three_per_condition() -> None:
    # ALB: "up to three match evaluations per condition … up to five match evaluations per rule".
    template = synth(**INTERNAL_WITH_CIDRS)["cutover-demo"]
    rules = resources_of_type(template, "AWS::ElasticLoadBalancingV2::ListenerRule").values()
    assert len(rules) == 2
    for rule in rules:
        counts = []
        for condition in rule["Properties"]["Conditions"]:
            config = condition.get("HttpHeaderConfig") or condition.get("SourceIpConfig")
            counts.append(len(config["Values"]))
        assert counts == [1, 1, 3]  # X-Canary-Version, the token, the CIDRs
        assert sum(counts) <= 5


def test_scalable_targets_name_their_service_without_get_att() -> None:
    # cloudformation-coverage-roadmap#875: GetAtt Service.Name fails model validation when the
    # service's DesiredCount is a dynamic reference.
    template = synth(autoscaling={"min": 2, "max": 4, "cpu_target_percent": 50})["cutover-demo"]
    services = {
        service["Properties"]["ServiceName"]: logical_id
        for logical_id, service in resources_of_type(template, "AWS::ECS::Service").items()
    }
    targets = resources_of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert {target["Properties"]["ResourceId"] for target in targets} == {
        "service/cutover-demo/demo-blue",
        "service/cutover-demo/demo-green",
    }
    for target in targets:
        assert "Fn::GetAtt" not in json.dumps(target["Properties"]["ResourceId"])
        service_name = target["Properties"]["ResourceId"].rsplit("/", 1)[1]
        assert services[service_name] in target["DependsOn"]
