"""The TUI with a model that reasons, against the real fake server: the Stream screen folds
the reasoning above the answer (``r`` unfolds it) and never takes it for the answer or its
edits; Compose walks the reasoning levels with ctrl+t and its meter reserves for them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import FAST, backend_for
from textual.pilot import Pilot
from textual.widgets import Static, TextArea
from tuikit import screen_text

from assistant.model import Client
from assistant.session import Assistant, ReasoningDelta, TextDelta
from tui.app import TomeApp, make_app
from tui.screens.compose import ComposeScreen
from tui.screens.stream import StreamScreen
from tui.widgets.budget_meter import BudgetMeter
from tui.widgets.reasoning_view import ReasoningView

SIZE = (100, 30)
anyio = pytest.mark.anyio
DEEPSEEK = {"reasoning_control": "deepseek", "max_output": 393_216, "window": 1_048_576,
            "reasoning_efforts": (("low", "low"), ("medium", "high"), ("high", "max")),
            "reasoning_default": "medium", "encoding": "cl100k_base"}  # fmt: skip
THOUGHTS = """Maybe edit a.py like this:

--- a/a.py
+++ b/a.py
@@ -1,2 +1,2 @@
 def f(x):
-    return x
+    return x  # DRAFTED IN THE REASONING

No: nothing needs to change.
"""
ANSWER = "The function is fine as it is.\n"


@pytest.fixture
def assistant(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    root = make_repo({"a.py": "def f(x):\n    return x\n"})
    client = Client(backend_for(fake_openai, **DEEPSEEK), options=FAST, sleep=lambda _: None)
    yield Assistant.open(root, client=client)
    client.close()


def _stream(assistant: Assistant) -> TomeApp:
    def source(cancel: threading.Event) -> Iterator[Any]:
        return assistant.stream("is f fine?", cancel=cancel)

    return TomeApp(assistant.root, lambda app: StreamScreen(source, title="is f fine?"),
                   assistant=assistant)  # fmt: skip


def _footer_keys(app: TomeApp) -> str:
    return screen_text(app).splitlines()[-1]


@anyio
async def test_the_reasoning_is_folded_above_the_answer_and_r_unfolds_it(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=ANSWER, reasoning=THOUGHTS, chunk_chars=6))
    app = _stream(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(3):
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StreamScreen) and screen.done
        text = screen_text(app)
        assert "▸ reasoning  ·  r shows it" in text and f"{len(THOUGHTS):,} chars" in text
        assert "DRAFTED" not in text and "The function is fine as it is." in text
        assert "r Reasoning" in _footer_keys(app)
        view = screen.query_one(ReasoningView)
        assert not view.expanded and not view.query_one(TextArea).display
        await pilot.press("r")
        await pilot.pause()
        text = screen_text(app)
        assert "▾ reasoning  ·  r hides it" in text and "DRAFTED IN THE REASONING" in text
        lines = text.splitlines()
        reasoning_at = next(i for i, line in enumerate(lines) if "No: nothing" in line)
        answer_at = next(i for i, line in enumerate(lines) if "fine as it is" in line)
        assert reasoning_at < answer_at  # above the answer
        assert screen.query_one("#edits").option_count == 0  # type: ignore[attr-defined]
        await pilot.press("r")
        await pilot.pause()
        assert "DRAFTED" not in screen_text(app)


@anyio
async def test_without_reasoning_the_section_and_its_key_are_not_shown(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=ANSWER))
    app = _stream(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(3):
            await pilot.pause()
        text = screen_text(app)
        assert "reasoning" not in text and "Reasoning" not in _footer_keys(app)
        assert "fine as it is" in text


@anyio
async def test_ctrl_t_walks_the_levels_and_the_meter_reserves_for_them(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        compose = app.screen
        assert isinstance(compose, ComposeScreen)

        def shown() -> tuple[str, int]:
            line = str(compose.query_one("#reasoning-level", Static).render())
            budget = compose.query_one(BudgetMeter).budget
            assert budget is not None
            return line, budget.output

        line, reserve = shown()
        # DeepSeek's docs call the effort it uses by default "high" (tome's level "medium")
        assert "reasoning high (backend's default)" in line and reserve == 65_536
        seen = []
        for _ in range(5):
            await pilot.press("ctrl+t")
            await pilot.pause()
            seen.append(shown())
        assert [s[1] for s in seen] == [32_768, 40_960, 65_536, 98_304, 65_536]
        assert [s[0] for s in seen] == [
            "reasoning off (asked)", "reasoning low (asked)", "reasoning high (asked medium)",
            "reasoning max (asked high)", "reasoning high (backend's default)",
        ]  # fmt: skip
        await pilot.press("ctrl+t", *"why", "ctrl+s")  # off, then send
        await app.workers.wait_for_complete()
        deadline = time.monotonic() + 5
        while not fake_openai.requests and time.monotonic() < deadline:
            await pilot.pause(0.01)  # poll: the send runs in a worker thread
    body = fake_openai.requests[0].body
    assert body["thinking"] == {"type": "disabled"} and body["max_tokens"] == 32_768


def test_stream_with_reasoning_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    def events(cancel: threading.Event) -> Iterator[Any]:
        yield ReasoningDelta(THOUGHTS)
        yield TextDelta(ANSWER)  # and the source ends: what it held is shown, still streaming

    ticks = iter([0.0])
    screen = StreamScreen(events, title="is f fine?", output_price=0.28,
                          clock=lambda: next(ticks, 3.0))  # fmt: skip
    app = TomeApp(repo, lambda app: screen)

    async def streamed(pilot: Pilot[Any]) -> None:
        deadline = time.monotonic() + 5
        while screen.chars < len(ANSWER) and time.monotonic() < deadline:
            await pilot.pause(0.01)  # poll: the worker posts from its thread
        await pilot.press("r")
        await pilot.pause()
        screen._stats()

    assert snap_compare(app, run_before=streamed, terminal_size=(80, 24))


@anyio
async def test_the_stats_line_counts_what_was_just_drained(repo: Path) -> None:
    """Right after a drain the stats line reads the true count, not the last tick's: the
    screen's intervals are switched off, so only the drain itself can update it."""
    release = threading.Event()

    def events(cancel: threading.Event) -> Iterator[Any]:
        yield TextDelta("x" * 400)
        release.wait(10)  # the stream stays open (no Finished) while the test reads it

    screen = StreamScreen(events, title="count", clock=lambda: 1.0)
    real = screen.set_interval

    def no_ticks(interval: float, callback: Any = None, **kwargs: Any) -> Any:
        timer = real(interval, callback, **kwargs)
        if callback in (screen._stats, screen._drain):
            timer.pause()  # the screen's own ticks: off, so a tick cannot mask the drain
        return timer

    screen.set_interval = no_ticks  # type: ignore[method-assign]
    app = TomeApp(repo, lambda app: screen)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            deadline = time.monotonic() + 5
            while screen.chars < 400 and time.monotonic() < deadline:
                await pilot.pause(0.01)  # poll: the worker posts from its thread
            await pilot.pause()
            stats = str(screen.query_one("#stream-stats", Static).render())
            assert "~100 tokens" in stats, stats
    finally:
        release.set()
