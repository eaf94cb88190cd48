"""Fixtures for model tests: clients pointed at the fake server (``fake_openai`` is shared
from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakeopenai import FakeOpenAI
from modelkit import FAST, ClientFactory, backend_for

from assistant.model import Backend, Client, ClientOptions


@pytest.fixture
def make_backend(fake_openai: FakeOpenAI) -> Callable[..., Backend]:
    """``make_backend(**changes)``: the DeepSeek-like test backend with fields replaced."""
    return lambda **changes: backend_for(fake_openai, **changes)


@pytest.fixture
def make_client(fake_openai: FakeOpenAI) -> Iterator[ClientFactory]:
    """``make_client(**backend_changes, options=...) -> (client, sleeps)``; sleeps are recorded,
    never slept, so backoff is observable without waiting."""
    made: list[Client] = []

    def factory(*, options: ClientOptions = FAST, **changes: Any) -> tuple[Client, list[float]]:
        sleeps: list[float] = []
        client = Client(backend_for(fake_openai, **changes), options=options, sleep=sleeps.append)
        made.append(client)
        return client, sleeps

    yield factory
    for client in made:
        client.close()
