"""The readers against moto: DynamoDB, SSM and ELBv2 as moto serves them, in process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from tests.unit.shifter.readers.moto_clients import MOTO_ENVIRONMENT


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in MOTO_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield
