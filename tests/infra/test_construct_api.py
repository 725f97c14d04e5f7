"""The library's API (`from cutover.cdk import …`): a service in an app's own VPC and cluster."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from pydantic import BaseModel

from cutover.cdk import AutoscalingConfig, BlueGreenService, CutoverStack, ServiceConfig
from cutover.config import AppConfig, ExistingVpcConfig


def _own_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """ServiceConfig and the models of its fields that cutover.config defines (not the Lambda's judge)."""
    found = [model]
    for field in model.model_fields.values():
        for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
            own = isinstance(candidate, type) and issubclass(candidate, BaseModel)
            if own and candidate.__module__ == "cutover.config" and candidate not in found:
                found.extend(m for m in _own_models(candidate) if m not in found)
    return found


def test_every_field_of_the_props_has_a_description() -> None:
    models: list[type[BaseModel]] = [*_own_models(ServiceConfig), AppConfig]
    assert len(models) >= 8  # ServiceConfig, alarms, autoscaling, VPC, domain, hooks, pipeline, strategy, app
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert missing == []


def _app_with_its_own_vpc_and_cluster() -> tuple[cdk.App, CutoverStack]:
    app = cdk.App(analytics_reporting=False)
    platform = cdk.Stack(app, "platform", env=cdk.Environment(region="eu-west-1"))
    vpc = ec2.Vpc(platform, "Vpc", max_azs=2)
    cluster = ecs.Cluster(platform, "Cluster", vpc=vpc)
    config = ServiceConfig(
        service_name="shop",
        autoscaling=AutoscalingConfig(min=2, max=4, cpu_target_percent=60),
    )
    return app, CutoverStack(app, config=config, vpc=vpc, cluster=cluster)


def test_a_service_in_the_apps_own_vpc_and_cluster_creates_neither() -> None:
    app, stack = _app_with_its_own_vpc_and_cluster()
    template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    kinds = [resource["Type"] for resource in template["Resources"].values()]
    assert "AWS::EC2::VPC" not in kinds and "AWS::ECS::Cluster" not in kinds
    services = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::ECS::Service"]
    assert sorted(s["ServiceName"] for s in services) == ["shop-blue", "shop-green"]
    for service in services:  # in the app's cluster, imported from its stack
        assert "Fn::ImportValue" in json.dumps(service["Cluster"])
    targets = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
    ]
    assert len(targets) == 2
    for target in targets:  # the scalable target names the app's cluster, not cutover-shop
        assert "cutover-shop/" not in json.dumps(target["ResourceId"])
        assert "Fn::ImportValue" in json.dumps(target["ResourceId"])


def test_the_vpc_is_given_once() -> None:
    app = cdk.App(analytics_reporting=False)
    vpc = ec2.Vpc(cdk.Stack(app, "platform"), "Vpc")
    existing = ExistingVpcConfig(
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=("eu-west-1a", "eu-west-1b"),
        public_subnet_ids=("subnet-00000000000000001", "subnet-00000000000000002"),
        private_subnet_ids=("subnet-00000000000000003", "subnet-00000000000000004"),
    )
    with pytest.raises(ValueError, match="give the VPC once"):
        BlueGreenService(cdk.Stack(app, "service"), "Service", config=ServiceConfig(existing_vpc=existing), vpc=vpc)
