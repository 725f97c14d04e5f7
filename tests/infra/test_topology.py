"""CDK assertions on the synthesized topology: the properties a user depends on."""

from __future__ import annotations

import json
from typing import Any

from cutover.cdk.side_alarms import alarm_name
from cutover.cdk.test_route import CANARY_HEADER, TOKEN_HEADER
from cutover.shifter.contract import SIDES
from tests.synth import one_resource, resources_of_type, seed_call, synth

STACK = "cutover-demo"
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def default_template() -> dict[str, Any]:
    return synth()[STACK]


def local_template() -> dict[str, Any]:
    return synth(local=True)[STACK]


def logical_id_of(template: dict[str, Any], resource_type: str, **properties: Any) -> str:
    for logical_id, resource in resources_of_type(template, resource_type).items():
        if all(resource["Properties"].get(k) == v for k, v in properties.items()):
            return logical_id
    raise AssertionError(f"no {resource_type} with {properties}")


def service_id(template: dict[str, Any], side: str) -> str:
    return logical_id_of(template, "AWS::ECS::Service", ServiceName=f"demo-{side}")


def target_group_id(template: dict[str, Any], side: str) -> str:
    service = template["Resources"][service_id(template, side)]
    ref: str = service["Properties"]["LoadBalancers"][0]["TargetGroupArn"]["Ref"]
    return ref


def seeded_parameter(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The live-state seed a dynamic reference points at: its parameter name and seed value."""
    parameters: dict[str, Any] = seed_call(template["Resources"][logical_id])["parameters"]
    return parameters


def live_reference(value: Any) -> str:
    """`{{resolve:ssm:<Ref seed>}}` as CDK renders it; returns the seed's logical id."""
    assert isinstance(value, dict) and "Fn::Join" in value, f"not a dynamic reference: {value!r}"
    head, ref, tail = value["Fn::Join"][1]
    assert (head, tail) == ("{{resolve:ssm:", "}}"), value
    seed_id: str = ref["Ref"]
    return seed_id


def production_forward(template: dict[str, Any]) -> dict[str, Any]:
    listeners = resources_of_type(template, "AWS::ElasticLoadBalancingV2::Listener")
    forwards = [
        action["ForwardConfig"]
        for listener in listeners.values()
        for action in listener["Properties"]["DefaultActions"]
        if action["Type"] == "forward"
    ]
    assert len(forwards) == 1, "production routing must live in exactly one default action"
    forward: dict[str, Any] = forwards[0]
    return forward


def test_production_routing_is_a_weighted_forward_read_from_the_live_state() -> None:
    template = default_template()
    forward = production_forward(template)
    by_target = {tg["TargetGroupArn"]["Ref"]: tg["Weight"] for tg in forward["TargetGroups"]}
    assert set(by_target) == {target_group_id(template, "blue"), target_group_id(template, "green")}
    for side, seed in (("blue", "100"), ("green", "0")):
        parameters = seeded_parameter(template, live_reference(by_target[target_group_id(template, side)]))
        assert parameters["Name"] == f"/cutover/demo/live/{side}/weight"
        assert parameters["Value"] == seed
        assert parameters["Overwrite"] is False


def test_a_fresh_local_stack_starts_blue_100_green_0() -> None:
    template = local_template()
    weights = {tg["TargetGroupArn"]["Ref"]: tg["Weight"] for tg in production_forward(template)["TargetGroups"]}
    assert weights == {target_group_id(template, "blue"): 100, target_group_id(template, "green"): 0}


def test_live_state_seeds_are_create_only() -> None:
    seeds = resources_of_type(default_template(), "Custom::AWS")
    assert len(seeds) == 8  # weight, task-definition, image, desired-count per side
    for seed in seeds.values():
        assert "Update" not in seed["Properties"], "a later deploy must never overwrite the live state"
        # A stale parameter fails the create instead of being adopted (tests/local/test_stale_live_state.py).
        assert "ignoreErrorCodesMatching" not in json.dumps(seed["Properties"]["Create"])


def test_services_read_task_definition_and_desired_count_from_the_live_state() -> None:
    template = default_template()
    for side, count in (("blue", "2"), ("green", "0")):
        properties = template["Resources"][service_id(template, side)]["Properties"]
        count_seed = seeded_parameter(template, live_reference(properties["DesiredCount"]))
        assert count_seed["Name"] == f"/cutover/demo/live/{side}/desired-count"
        assert count_seed["Value"] == count
        task_seed = seeded_parameter(template, live_reference(properties["TaskDefinition"]))
        assert task_seed["Name"] == f"/cutover/demo/live/{side}/task-definition"


def test_green_starts_with_zero_tasks_in_the_local_template() -> None:
    template = local_template()
    counts = {side: template["Resources"][service_id(template, side)]["Properties"]["DesiredCount"] for side in SIDES}
    assert counts == {"blue": 2, "green": 0}


def test_task_definitions_are_retained_because_a_replaced_revision_may_be_live() -> None:
    for task_definition in resources_of_type(default_template(), "AWS::ECS::TaskDefinition").values():
        assert task_definition["UpdateReplacePolicy"] == "Retain"
        assert task_definition["DeletionPolicy"] == "Retain"


def test_circuit_breaker_without_automatic_rollback() -> None:
    for service in resources_of_type(default_template(), "AWS::ECS::Service").values():
        breaker = service["Properties"]["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
        assert breaker == {"Enable": True, "Rollback": False}


def test_containers_have_a_health_check_and_stop_timeout_covering_the_drain() -> None:
    for task_definition in resources_of_type(default_template(), "AWS::ECS::TaskDefinition").values():
        (container,) = task_definition["Properties"]["ContainerDefinitions"]
        assert container["HealthCheck"]["Command"] == [
            "CMD-SHELL",
            "wget -q -O /dev/null http://127.0.0.1:80/ || exit 1",
        ]
        assert container["StopTimeout"] >= 30  # the default deregistration delay
        assert container["LogConfiguration"]["LogDriver"] == "awslogs"


def test_test_route_rules_are_protected_and_above_the_default() -> None:
    template = default_template()
    rules = resources_of_type(template, "AWS::ElasticLoadBalancingV2::ListenerRule")
    assert len(rules) == 2
    for rule in rules.values():
        properties = rule["Properties"]
        headers = {
            c["HttpHeaderConfig"]["HttpHeaderName"]: c["HttpHeaderConfig"]["Values"] for c in properties["Conditions"]
        }
        (side,) = headers[CANARY_HEADER]
        assert properties["Actions"] == [
            {"TargetGroupArn": {"Ref": target_group_id(template, side)}, "Type": "forward"}
        ]
        (token,) = headers[TOKEN_HEADER]
        assert "{{resolve:secretsmanager:" in json.dumps(token)
        assert 1 <= properties["Priority"] <= 2  # evaluated before the default action


def test_local_test_route_uses_the_seed_token_the_local_secret_holds() -> None:
    template = local_template()
    secret = one_resource(template, "AWS::SecretsManager::Secret")
    for rule in resources_of_type(template, "AWS::ElasticLoadBalancingV2::ListenerRule").values():
        values = [
            c["HttpHeaderConfig"]["Values"]
            for c in rule["Properties"]["Conditions"]
            if c["HttpHeaderConfig"]["HttpHeaderName"] == TOKEN_HEADER
        ]
        assert values == [[secret["Properties"]["SecretString"]]]


def test_http_listener_without_certificate() -> None:
    listener = one_resource(default_template(), "AWS::ElasticLoadBalancingV2::Listener")
    assert (listener["Properties"]["Port"], listener["Properties"]["Protocol"]) == (80, "HTTP")


def test_https_listener_and_redirect_with_certificate() -> None:
    template = synth(certificate_arn=CERTIFICATE)[STACK]
    listeners = {
        listener["Properties"]["Port"]: listener["Properties"]
        for listener in resources_of_type(template, "AWS::ElasticLoadBalancingV2::Listener").values()
    }
    assert set(listeners) == {80, 443}
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["Certificates"] == [{"CertificateArn": CERTIFICATE}]
    assert listeners[443]["DefaultActions"][0]["Type"] == "forward"
    (redirect,) = listeners[80]["DefaultActions"]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS" and redirect["RedirectConfig"]["Port"] == "443"
    for rule in resources_of_type(template, "AWS::ElasticLoadBalancingV2::ListenerRule").values():
        listener_ref = rule["Properties"]["ListenerArn"]["Ref"]
        assert template["Resources"][listener_ref]["Properties"]["Port"] == 443


def test_alarms_per_side_watch_that_sides_target_group() -> None:
    template = default_template()
    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
    }
    for side in SIDES:
        expected = {alarm_name("demo", side, kind) for kind in ("5xx", "latency-p99", "unhealthy-hosts")}
        assert expected <= set(alarms)
        for name in expected:
            dimensions = {d["Name"]: d["Value"] for d in alarms[name]["Dimensions"]}
            assert dimensions["TargetGroup"] == {"Fn::GetAtt": [target_group_id(template, side), "TargetGroupFullName"]}
            assert alarms[name]["TreatMissingData"] == "notBreaching"
    assert alarms["cutover-demo-green-5xx"]["MetricName"] == "HTTPCode_Target_5XX_Count"
    assert alarms["cutover-demo-green-latency-p99"]["ExtendedStatistic"] == "p99"
    assert alarms["cutover-demo-green-latency-p99"]["Threshold"] == 1.0  # 1000 ms, in seconds


def test_only_the_alb_reaches_the_service_port() -> None:
    template = default_template()
    ingress = resources_of_type(template, "AWS::EC2::SecurityGroupIngress")
    service_sg = logical_id_of(template, "AWS::EC2::SecurityGroup", GroupDescription="Cutover service tasks")
    to_service = [
        i["Properties"]
        for i in ingress.values()
        if i["Properties"]["GroupId"] == {"Fn::GetAtt": [service_sg, "GroupId"]}
    ]
    assert len(to_service) == 1
    assert (to_service[0]["FromPort"], to_service[0]["ToPort"]) == (80, 80)
    assert "SourceSecurityGroupId" in to_service[0] and "CidrIp" not in to_service[0]
    services = resources_of_type(template, "AWS::ECS::Service").values()
    assert all(
        s["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED" for s in services
    )


def test_table_keeps_history_across_destroy() -> None:
    table = next(iter(resources_of_type(default_template(), "AWS::DynamoDB::Table").values()))
    assert table["DeletionPolicy"] == "Retain"
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_topic_is_encrypted_and_access_logs_are_on() -> None:
    template = default_template()
    assert "KmsMasterKeyId" in one_resource(template, "AWS::SNS::Topic")["Properties"]
    attributes = {
        a["Key"]: a["Value"]
        for a in one_resource(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")["Properties"][
            "LoadBalancerAttributes"
        ]
    }
    assert attributes["access_logs.s3.enabled"] == "true"
    bucket = one_resource(template, "AWS::S3::Bucket")["Properties"]
    assert (
        bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"][
            "SSEAlgorithm"
        ]
        == "AES256"
    )


def test_dashboard_shows_the_weight_metric_per_side() -> None:
    body = json.dumps(one_resource(default_template(), "AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    assert '\\"Cutover\\",\\"TrafficWeight\\",\\"Service\\",\\"demo\\",\\"Side\\",\\"green\\"' in body


def test_outputs_give_the_shifter_and_cli_what_they_need() -> None:
    outputs = default_template()["Outputs"]
    for key in (
        "AlbDnsName",
        "ListenerArn",
        "ClusterName",
        "TableName",
        "TopicArn",
        "LiveStatePrefix",
        "TestTokenSecretArn",
        "BlueServiceName",
        "GreenServiceName",
        "BlueTargetGroupArn",
        "GreenTargetGroupArn",
        "BlueTestRuleArn",
        "GreenTestRuleArn",
        "BlueTemplateTaskDefinitionArn",
        "GreenAlarmNames",
    ):
        assert key in outputs, key
    assert outputs["LiveStatePrefix"]["Value"] == "/cutover/demo/live"
