#!/usr/bin/env python3
"""CDK entry point: build the typed configuration once, instantiate one stack per service.

The ready-made app of this repository, a user of the `cutover.cdk` library like any other
(examples/existing-app is one inside an app that has its own VPC and cluster); with
`-c image=asset` it deploys the example service in service/ (example_service.py)."""

from __future__ import annotations

import sys
from collections.abc import Mapping

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

import example_service
from cutover.cdk.cutover_stack import CutoverStack
from cutover.cdk.pipeline import PipelineStack, pipeline_for
from cutover.config import ASSET_IMAGE, AppConfig, ConfigError, load_config


def build_app(context: dict[str, object] | None = None) -> cdk.App:
    """Tests pass `context` explicitly: cdk.App() in tests does not read cdk.json."""
    app = cdk.App(context=context, analytics_reporting=False) if context is not None else cdk.App()
    config = load_app_config(_context_of(app))
    for service in config.services:
        image = example_service.supplied_image(service) if service.image == ASSET_IMAGE else None
        main = CutoverStack(app, config=service, container_image=image)
        pipeline = pipeline_for(service.pipeline, local=service.local)  # moto cannot create CodePipeline
        if pipeline is not None:
            PipelineStack(
                app,
                service_name=service.service_name,
                pipeline=pipeline,
                state_machine=main.shifter.state_machine,
                env=cdk.Environment(account=service.account, region=service.region),
            )
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return app


def load_app_config(context: Mapping[str, object]) -> AppConfig:
    """The configuration, with the example service's defaults and checks where `image` is `asset`."""
    config = load_config(context, service_defaults=example_service.defaults)
    for index, service in enumerate(config.services):
        if service.image != ASSET_IMAGE:
            continue
        try:
            example_service.drain_timings(service.deregistration_delay_seconds)
        except ValueError as error:
            prefix = f"services[{index}]." if "services" in context else ""
            raise ConfigError(f"invalid context key '{prefix}deregistration_delay_seconds': {error}") from None
    return config


def _context_of(app: cdk.App) -> dict[str, object]:
    # cdk.json and `-c` values arrive merged; load_config ignores CDK's own keys.
    context: dict[str, object] = dict(app.node.get_all_context())
    return context


if __name__ == "__main__":
    try:
        build_app().synth()
    except ConfigError as error:
        sys.exit(f"cutover: {error}")
