"""Unit tests of the shifter run in memory: any socket opened here is a test that leaks to AWS."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*_args: object, **_kwargs: object) -> socket.socket:
        raise RuntimeError("unit tests of the shifter must not open sockets (use the fakes)")

    monkeypatch.setattr(socket, "socket", refuse)
    yield
