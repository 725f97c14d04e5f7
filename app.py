#!/usr/bin/env python3
"""CDK entry point: build the typed configuration once, instantiate one stack per service."""

from __future__ import annotations

import sys

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from cutover.cdk.cutover_stack import CutoverStack
from cutover.cdk.pipeline import PipelineStack, pipeline_for
from cutover.config import ConfigError, load_config


def build_app(context: dict[str, object] | None = None) -> cdk.App:
    """Tests pass `context` explicitly: cdk.App() in tests does not read cdk.json."""
    app = cdk.App(context=context, analytics_reporting=False) if context is not None else cdk.App()
    config = load_config(_context_of(app))
    for service in config.services:
        main = CutoverStack(app, config=service)
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


def _context_of(app: cdk.App) -> dict[str, object]:
    # cdk.json and `-c` values arrive merged; load_config ignores CDK's own keys.
    context: dict[str, object] = dict(app.node.get_all_context())
    return context


if __name__ == "__main__":
    try:
        build_app().synth()
    except ConfigError as error:
        sys.exit(f"cutover: {error}")
