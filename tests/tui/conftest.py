"""Fixtures for the TUI tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI
from modelkit import backend_for
from tuikit import A_PY, B_TXT, GREET_REPO

from assistant.model import Client, ClientOptions, RetryPolicy, Timeouts
from assistant.session import Assistant


@pytest.fixture
def repo(make_repo) -> Path:  # type: ignore[no-untyped-def]
    # a fixed commit date gives the same sha on every run, so a snapshot showing the git log
    # section's size (short sha, date, subject) counts the same tokens each time
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GIT_AUTHOR_DATE", "2026-01-01T12:00:00+0000")
        env.setenv("GIT_COMMITTER_DATE", "2026-01-01T12:00:00+0000")
        return make_repo({"a.py": A_PY, "b.txt": B_TXT})


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests are coroutines; anyio's pytest plugin runs them on asyncio."""
    return "asyncio"


@pytest.fixture
def greet_assistant(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    """An assistant on a small repository (``tuikit.GREET_REPO``) whose backend is the fake
    server: a plain OpenAI-style one (no prefix continuation) counting with cl100k_base,
    retrying once without sleeping."""
    root = make_repo(GREET_REPO)
    backend = backend_for(fake_openai, encoding="cl100k_base", continuation="message")
    options = ClientOptions(
        retry=RetryPolicy(max_retries=1, base=0.001, cap=1.0),
        timeouts=Timeouts(connect=2.0, read=5.0, read_per_mtok=0.0),
        max_continuations=1,
    )
    client = Client(backend, options=options, sleep=lambda _: None)
    yield Assistant.open(root, client=client)
    client.close()
