"""Fixtures for model tests: the fake OpenAI server and clients pointed at it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, serve

from assistant.model import Backend, Client, ClientOptions, Prices, RetryPolicy, Timeouts

FAST = ClientOptions(
    retry=RetryPolicy(max_retries=3, base=0.001, cap=30.0),
    timeouts=Timeouts(connect=2.0, read=5.0, read_per_mtok=0.0),
    max_continuations=3,
)


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI-compatible server on 127.0.0.1 (reusable by other test areas)."""
    with serve() as fake:
        yield fake


def backend_for(fake: FakeOpenAI, **changes: Any) -> Backend:
    """A DeepSeek-like backend pointed at ``fake`` (prefix continuation, DeepSeek usage)."""
    backend = Backend(
        name="test",
        base_url=fake.base_url,
        model="fake-model",
        window=100_000,
        max_output=1_000,
        encoding="o200k_base",
        api_key_env="TEST_MODEL_KEY",
        key_required=False,
        prices=Prices(cache_hit=0.028, cache_miss=0.14, output=0.28),
        continuation="prefix",
        prefix_base_url=fake.beta_url,
    )
    return dataclasses.replace(backend, **changes)


@pytest.fixture
def make_backend(fake_openai: FakeOpenAI) -> Callable[..., Backend]:
    """``make_backend(**changes)``: the DeepSeek-like test backend with fields replaced."""
    return lambda **changes: backend_for(fake_openai, **changes)


ClientFactory = Callable[..., tuple[Client, list[float]]]


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
