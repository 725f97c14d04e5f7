"""The boto3 adapters against moto's in-memory AWS: each test creates only what its adapter needs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from shifter.adapters import aws_clients
from tests.unit.shifter.readers.moto_clients import REGION


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # No adapter reads AMIs; loading moto's default ones costs ~0.4 s for every test that creates a VPC.
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        aws_clients.reset()  # clients cached by an earlier test belong to another mock
        yield
    aws_clients.reset()
