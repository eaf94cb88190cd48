"""The Stream screen shows text that arrived just before a stall: the worker holds deltas
that come within FLUSH_EVERY of the last flush, and a Textual interval drains them, so a
model that sends a burst and then goes quiet (keep-alive comments only) is not shown cut
short until its next event."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import FAST, backend_for
from tuikit import screen_text

from assistant.model import Client
from assistant.session import Assistant
from tui.app import TomeApp
from tui.screens.stream import FLUSH_EVERY, StreamScreen

anyio = pytest.mark.anyio
TEXT = "First words arrive. Then the rest of the burst, and a TAIL-MARK at its end."


@anyio
async def test_text_before_a_stall_shows_without_another_event(
    make_repo, fake_openai: FakeOpenAI
) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    # The burst comes in 6-character deltas, then only keep-alive comments: no more events.
    fake_openai.push(Reply(text=TEXT, chunk_chars=6, pings=0.2))
    backend = backend_for(fake_openai, encoding="cl100k_base")
    client = Client(backend, options=FAST, sleep=lambda _: None)
    assistant = Assistant.open(root, client=client)

    def source(cancel: threading.Event) -> Iterator[Any]:
        return assistant.stream("say it", cancel=cancel)

    screen = StreamScreen(source, title="say it")
    app = TomeApp(root, lambda app: screen, assistant=assistant)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            deadline = time.monotonic() + 5
            while screen.chars == 0 and time.monotonic() < deadline:
                await pilot.pause(0.01)  # poll: the request runs in a worker thread
            assert screen.chars > 0, "the first delta never showed"
            first = time.monotonic()
            while screen.chars < len(TEXT) and time.monotonic() < first + 3:
                await pilot.pause(0.01)
            waited = time.monotonic() - first
            assert screen.chars == len(TEXT), f"only {screen.chars} of {len(TEXT)} shown"
            assert waited < 3  # ~FLUSH_EVERY on a quiet machine; the stall lasts 20 s
            await pilot.pause(FLUSH_EVERY)
            await pilot.pause()
            assert "TAIL-MARK" in screen_text(app)
            assert not screen.done  # still streaming: it was the drain, not an end
            await pilot.press("escape")
    finally:
        client.close()
