"""Fixtures for session tests: the fake OpenAI server and Assistants pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI
from sessiondata import FAST, AssistantFactory, backend_for

from assistant.model import Client, ClientOptions
from assistant.session import Assistant


@pytest.fixture
def make_assistant(fake_openai: FakeOpenAI) -> Iterator[AssistantFactory]:
    """``make_assistant(root, options=FAST, **backend_changes)``: an Assistant whose client
    talks to the fake server and never sleeps between retries."""
    clients: list[Client] = []

    def factory(root: Path, *, options: ClientOptions = FAST, **changes: Any) -> Assistant:
        client = Client(backend_for(fake_openai, **changes), options=options, sleep=lambda _: None)
        clients.append(client)
        return Assistant.open(root, client=client)

    yield factory
    for client in clients:
        client.close()
