"""Cutover's CDK constructs: add a blue/green ECS Fargate service with its traffic shifter to an app.

    from cutover.cdk import CutoverStack, ServiceConfig

    CutoverStack(app, config=ServiceConfig(service_name="shop", image="..."), vpc=vpc, cluster=cluster)

`ServiceConfig` (cutover.config) is the props: pydantic models, validated once, each field
documented. Needs the `cdk` extra: `pip install "cutover[cdk]"`.
"""

from cutover.cdk.blue_green_service import BlueGreenService
from cutover.cdk.cutover_stack import CutoverStack
from cutover.cdk.supplied_image import SuppliedImage
from cutover.config import (
    AlarmThresholds,
    AutoscalingConfig,
    ConfigError,
    DomainConfig,
    ExistingVpcConfig,
    HooksConfig,
    PipelineConfig,
    ServiceConfig,
    load_config,
)
from cutover.shifter.logic.plan import StrategyDefaults

__all__ = [
    "AlarmThresholds",
    "AutoscalingConfig",
    "BlueGreenService",
    "ConfigError",
    "CutoverStack",
    "DomainConfig",
    "ExistingVpcConfig",
    "HooksConfig",
    "PipelineConfig",
    "ServiceConfig",
    "StrategyDefaults",
    "SuppliedImage",
    "load_config",
]
