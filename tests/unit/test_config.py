"""The typed configuration: defaults, coercion of `-c key=value` strings, one clear error line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cutover.config import ConfigError, ServiceConfig, load_config


def only_service(context: dict[str, Any]) -> ServiceConfig:
    (service,) = load_config(context).services
    return service


def test_defaults_make_a_deployable_service() -> None:
    service = only_service({})
    assert service.service_name == "demo"
    assert service.region == "eu-west-1"  # concrete, so ALB access logging synthesizes offline
    assert service.health_check_path == "/"
    assert service.desired_count == 2
    assert service.deregistration_delay_seconds == 30
    assert service.strategy_defaults.strategy == "canary"
    assert service.health_command == "wget -q -O /dev/null http://127.0.0.1:80/ || exit 1"


def test_command_line_strings_are_coerced() -> None:
    service = only_service(
        {
            "container_port": "8080",
            "stickiness": "true",
            "internet_facing": "false",  # CIDRs need the shifter inside the VPC (test_config_aws_limits)
            "test_route_cidrs": "10.0.0.0/8, 192.168.0.0/16",
            "environment": '{"LOG_LEVEL": "info"}',
            "autoscaling": '{"min": 2, "max": 6, "cpu_target_percent": 60}',
        }
    )
    assert service.container_port == 8080
    assert service.stickiness is True
    assert service.test_route_cidrs == ("10.0.0.0/8", "192.168.0.0/16")
    assert service.environment == {"LOG_LEVEL": "info"}
    assert service.autoscaling is not None and service.autoscaling.max == 6
    assert "127.0.0.1:8080/" in service.health_command


def test_cdk_feature_flags_are_not_mistaken_for_keys() -> None:
    assert only_service({"@aws-cdk/aws-ecs:arnFormatIncludesClusterName": True}).service_name == "demo"


@pytest.mark.parametrize(
    ("context", "key"),
    [
        ({"container_port": "70000"}, "container_port"),
        ({"desired_count": "many"}, "desired_count"),
        ({"image": "Not An Image!"}, "image"),
        ({"service_name": "Bad_Name"}, "service_name"),
        ({"cpu": 300}, "cpu"),
        ({"cpu": 256, "memory_mib": 4096}, "memory_mib"),
        ({"test_token": "false"}, "test_token"),
        ({"test_route_cidrs": "10.0.0.1/8"}, "test_route_cidrs"),
        ({"certificate_arn": "arn:aws:iam::123456789012:role/x"}, "certificate_arn"),
        ({"secrets": '{"DB": "plain-text"}'}, "secrets"),
        ({"autoscaling": '{"min": 3, "max": 2, "cpu_target_percent": 50}'}, "autoscaling"),
        ({"autoscaling": '{"min": 1, "max": 2, "cpu_target_percent": 50}', "desired_count": 3}, "desired_count"),
        ({"alarms": '{"latency_p99_ms": 0}'}, "alarms.latency_p99_ms"),
        ({"strategy_defaults": '{"canary_weight": 100}'}, "strategy_defaults.canary_weight"),
        (
            {
                "domain": json.dumps(
                    {"domain_name": "app.example.com", "hosted_zone_id": "Z123", "hosted_zone_name": "example.com"}
                )
            },
            "domain",
        ),
        ({"existing_vpc": '{"vpc_id": "vpc-12345678"}'}, "existing_vpc.availability_zones"),
        ({"health_check_interval_seconds": 5, "health_check_timeout_seconds": 5}, "health_check_timeout_seconds"),
        ({"contaner_port": 80}, "contaner_port"),
        ({"environment": "{not json"}, "environment"),
    ],
)
def test_invalid_value_fails_with_one_line_naming_the_key(context: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(context)
    message = str(raised.value)
    assert f"invalid context key '{key}'" in message
    assert "\n" not in message


def test_services_are_merged_over_shared_keys() -> None:
    config = load_config(
        {
            "desired_count": 3,
            "services": [{"service_name": "api"}, {"service_name": "web", "cpu": 512, "memory_mib": 1024}],
        }
    )
    assert [s.service_name for s in config.services] == ["api", "web"]
    assert [s.desired_count for s in config.services] == [3, 3]
    assert config.services[1].cpu == 512


def test_errors_inside_services_name_the_entry() -> None:
    with pytest.raises(ConfigError, match=r"'services\[1\]\.container_port'"):
        load_config({"services": [{"service_name": "api"}, {"service_name": "web", "container_port": 0}]})


def test_duplicate_service_names_are_rejected() -> None:
    with pytest.raises(ConfigError, match="duplicate service_name api"):
        load_config({"services": [{"service_name": "api"}, {"service_name": "api"}]})


def test_config_is_frozen() -> None:
    service = only_service({})
    with pytest.raises(ValueError, match="frozen"):
        service.desired_count = 5  # type: ignore[misc]
