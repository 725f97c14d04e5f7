"""The boto3 adapters against moto's in-memory AWS: each test creates only what its adapter needs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from moto import mock_aws

from cutover.local.deployment_table import create_deployment_table
from cutover.shifter.adapters import aws_clients
from cutover.shifter.environment import environment
from tests.unit.shifter.fakes.context import ENVIRONMENT
from tests.unit.shifter.readers.moto_clients import MOTO_ENVIRONMENT


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        **MOTO_ENVIRONMENT,
        # No adapter reads AMIs; loading moto's default ones costs ~0.4 s for every test that creates a VPC.
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        aws_clients.reset()  # clients cached by an earlier test belong to another mock
        yield
    aws_clients.reset()


@pytest.fixture
def lambda_environment(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CUTOVER_* variables as the stack sets them: JSON for the structured ones."""
    for name, value in ENVIRONMENT.model_dump(mode="json", by_alias=True, exclude_none=True).items():
        monkeypatch.setenv(name, value if isinstance(value, str) else json.dumps(value))
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    environment.cache_clear()
    create_deployment_table(aws_clients.dynamodb(), ENVIRONMENT.table_name)
    yield
    environment.cache_clear()
