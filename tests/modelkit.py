"""Shared pieces for tests that talk to the fake OpenAI server: fast client options and a
DeepSeek-like backend pointed at the server.

A module of its own (not a conftest): several test folders have a conftest, and
``from conftest import ...`` picks whichever loaded first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from fakeopenai import FakeOpenAI

from assistant.model import Backend, Client, ClientOptions, Prices, RetryPolicy, Timeouts

FAST = ClientOptions(
    retry=RetryPolicy(max_retries=3, base=0.001, cap=30.0),
    timeouts=Timeouts(connect=2.0, read=5.0, read_per_mtok=0.0),
    max_continuations=3,
)


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


ClientFactory = Callable[..., tuple[Client, list[float]]]
