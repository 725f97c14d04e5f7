"""Other configurations synthesize with what they promise; bad configuration stops synth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.infra.test_topology import CERTIFICATE
from tests.synth import ROOT, one_resource, resources_of_type, synth

EXISTING_VPC = {
    "vpc_id": "vpc-0123456789abcdef0",
    "availability_zones": ["eu-west-1a", "eu-west-1b"],
    "public_subnet_ids": ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    "private_subnet_ids": ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
}
DOMAIN = {
    "domain_name": "shop.example.com",
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "hosted_zone_name": "example.com",
}


def second_configuration() -> dict[str, Any]:
    return synth(
        service_name="shop",
        existing_vpc=EXISTING_VPC,
        stickiness=True,
        stickiness_seconds=600,
        autoscaling={"min": 2, "max": 8, "requests_per_target": 500},
        certificate_arn=CERTIFICATE,
        domain=DOMAIN,
    )["cutover-shop"]


def test_existing_vpc_is_used_by_attributes_without_creating_one() -> None:
    template = second_configuration()
    assert resources_of_type(template, "AWS::EC2::VPC") == {}
    alb = one_resource(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert alb["Properties"]["Subnets"] == EXISTING_VPC["public_subnet_ids"]
    for service in resources_of_type(template, "AWS::ECS::Service").values():
        assert (
            service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"]
            == EXISTING_VPC["private_subnet_ids"]
        )


def test_stickiness_is_set_on_the_listener_and_the_target_groups() -> None:
    template = second_configuration()
    https = [
        listener
        for listener in resources_of_type(template, "AWS::ElasticLoadBalancingV2::Listener").values()
        if listener["Properties"]["Port"] == 443
    ]
    forward = https[0]["Properties"]["DefaultActions"][0]["ForwardConfig"]
    assert forward["TargetGroupStickinessConfig"] == {"Enabled": True, "DurationSeconds": 600}
    for target_group in resources_of_type(template, "AWS::ElasticLoadBalancingV2::TargetGroup").values():
        attributes = {a["Key"]: a["Value"] for a in target_group["Properties"]["TargetGroupAttributes"]}
        assert attributes["stickiness.enabled"] == "true"
        assert attributes["stickiness.type"] == "lb_cookie"


def test_autoscaling_bounds_are_live_state_seeded_from_each_sides_count() -> None:
    template = second_configuration()
    targets = resources_of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert len(targets) == 2
    seeds = {
        seed["Properties"]["MinParameter"]: (logical_id, seed)
        for logical_id, seed in resources_of_type(template, "Custom::CutoverCapacitySeed").items()
    }
    read = set()
    for target in targets.values():
        properties = target["Properties"]
        side = properties["ResourceId"].rsplit("-", 1)[1]
        minimum, maximum = (f"/cutover/shop/live/{side}/{key}" for key in ("min-capacity", "max-capacity"))
        assert (properties["MinCapacity"], properties["MaxCapacity"]) == (
            f"{{{{resolve:ssm:{minimum}}}}}",
            f"{{{{resolve:ssm:{maximum}}}}}",
        )
        logical_id, seed = seeds[minimum]
        assert logical_id in target["DependsOn"]  # resolved only once the seed wrote them
        # The seed reads the side's recorded count at create time (handlers/capacity_seed.py):
        # the idle side gets 0..0, a side with tasks the configured bounds around its count.
        assert {k: seed["Properties"][k] for k in ("CountParameter", "MaxParameter", "Min", "Max")} == {
            "CountParameter": f"/cutover/shop/live/{side}/desired-count",
            "MaxParameter": maximum,
            "Min": 2,
            "Max": 8,
        }
        read.add(side)
    assert read == {"blue", "green"}
    policies = resources_of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    metrics = {
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
            "PredefinedMetricType"
        ]
        for p in policies
    }
    assert metrics == {"ALBRequestCountPerTarget"}


def test_domain_gets_an_alias_record() -> None:
    template = second_configuration()
    record = one_resource(template, "AWS::Route53::RecordSet")["Properties"]
    assert record["Name"] == "shop.example.com."
    assert record["HostedZoneId"] == DOMAIN["hosted_zone_id"]
    assert "AliasTarget" in record
    assert template["Outputs"]["BaseUrl"]["Value"] == "https://shop.example.com"


def test_the_test_route_gets_its_cidrs() -> None:
    # CIDRs need an internal ALB and one containing the VPC's CIDR (test_config_aws_limits.py):
    # the shifter's smoke tests come from its Lambda inside the VPC.
    template = synth(internet_facing=False, test_route_cidrs=["10.0.0.0/16"])["cutover-demo"]
    for rule in resources_of_type(template, "AWS::ElasticLoadBalancingV2::ListenerRule").values():
        source_ips = [
            c["SourceIpConfig"]["Values"] for c in rule["Properties"]["Conditions"] if c["Field"] == "source-ip"
        ]
        assert source_ips == [["10.0.0.0/16"]]


def test_two_services_in_one_app_are_two_independent_stacks() -> None:
    templates = synth(services=[{"service_name": "api"}, {"service_name": "web", "container_port": 8080}])
    assert set(templates) == {"cutover-api", "cutover-web"}
    names = {
        stack: sorted(s["Properties"]["ServiceName"] for s in resources_of_type(t, "AWS::ECS::Service").values())
        for stack, t in templates.items()
    }
    assert names == {"cutover-api": ["api-blue", "api-green"], "cutover-web": ["web-blue", "web-green"]}
    web_groups = resources_of_type(templates["cutover-web"], "AWS::ElasticLoadBalancingV2::TargetGroup").values()
    assert {g["Properties"]["Port"] for g in web_groups} == {8080}


def test_invalid_context_stops_synth_with_one_line_naming_the_key() -> None:
    environment = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({"container_port": "70000"}),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "cutover: invalid context key 'container_port': Input should be less than or equal to 65535"
    ]


def test_example_service_asset_drains_in_step_with_the_target_group() -> None:
    from cutover_service.contract import HEALTHCHECK_COMMAND

    template = synth(image="asset", deregistration_delay_seconds=40)["cutover-demo"]
    for task_definition in resources_of_type(template, "AWS::ECS::TaskDefinition").values():
        (container,) = task_definition["Properties"]["ContainerDefinitions"]
        environment = {e["Name"]: e["Value"] for e in container["Environment"]}
        propagation, drain = int(environment["DRAIN_PROPAGATION_SECONDS"]), int(environment["DRAIN_TIMEOUT_SECONDS"])
        assert propagation + drain == 40  # the deregistration delay covers both
        assert container["StopTimeout"] > propagation + drain  # SIGKILL never pre-empts the drain
        assert container["PortMappings"] == [{"ContainerPort": 8080, "Protocol": "tcp"}]
        assert container["HealthCheck"]["Command"] == ["CMD-SHELL", HEALTHCHECK_COMMAND]
        assert "cdk-hnb659fds-container-assets" in json.dumps(container["Image"])
    for group in resources_of_type(template, "AWS::ElasticLoadBalancingV2::TargetGroup").values():
        attributes = {a["Key"]: a["Value"] for a in group["Properties"]["TargetGroupAttributes"]}
        assert attributes["deregistration_delay.timeout_seconds"] == "40"
        assert (group["Properties"]["Port"], group["Properties"]["HealthCheckPath"]) == (8080, "/health")


def test_example_service_rejects_a_drain_longer_than_fargate_allows() -> None:
    from app import load_app_config
    from cutover.config import ConfigError

    with pytest.raises(ConfigError, match=r"'deregistration_delay_seconds'.*120"):
        load_app_config({"image": "asset", "deregistration_delay_seconds": 300})


def test_a_concrete_account_synthesizes() -> None:
    template = synth(account="123456789012")["cutover-demo"]
    assert template["Outputs"]["ServiceName"]["Value"] == "demo"
