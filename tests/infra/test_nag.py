"""cdk-nag AwsSolutions runs on every synth: no unacknowledged finding, every acknowledgement says why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.test_variants import second_configuration
from tests.synth import synth


def acknowledgements(template: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for resource in template["Resources"].values():
        found.extend(resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []))
    return found


@pytest.mark.parametrize("variant", ["default", "local", "second"])
def test_synth_passes_aws_solutions_checks_with_explained_acknowledgements(variant: str) -> None:
    # Synth itself fails on an unacknowledged AwsSolutions error (the aspect reports errors).
    template = {
        "default": lambda: synth()["cutover-demo"],
        "local": lambda: synth(local=True)["cutover-demo"],
        "second": second_configuration,
    }[variant]()
    acknowledged = acknowledgements(template)
    assert acknowledged, "expected the documented acknowledgements"
    for acknowledgement in acknowledged:
        assert len(acknowledgement["reason"]) >= 60, acknowledgement
    ids = {a["id"] for a in acknowledged}
    assert ids <= {
        "AwsSolutions-EC23",
        "AwsSolutions-S1",
        "AwsSolutions-ECS2",
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-L1",
        "AwsSolutions-SMG4",
        "AwsSolutions-SQS3",  # the EventBridge targets' dead-letter queues are DLQs themselves
    }, json.dumps(sorted(ids))
