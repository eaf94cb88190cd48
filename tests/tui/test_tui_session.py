"""The whole loop in the TUI against the fake OpenAI server: compose, stream, review, apply,
undo, send rejected hunks back, history; asserting on disk and on the session store."""

from __future__ import annotations

import pytest
from fakeopenai import FakeOpenAI, Reply
from tuikit import GREET_APP, GREET_UTIL, RENAME_GREET, TYPE_ADD, screen_text, search_replace

from assistant.edits import HunkState
from assistant.session import Assistant
from tui.app import make_app
from tui.screens.compose import ComposeScreen
from tui.screens.history import HistoryScreen
from tui.screens.review import ReviewScreen
from tui.screens.stream import StreamScreen
from tui.widgets.file_tree import FileTree

pytestmark = pytest.mark.anyio
SIZE = (120, 40)

APP, UTIL = GREET_APP, GREET_UTIL
ANSWER = f"""I rename greet and type add.

{RENAME_GREET}
{search_replace("app.py", '    print(greet("world"))', '    print(welcome("world"))')}
{TYPE_ADD}"""
RETRY = f"""Keeping add untyped, as asked, but naming it plus.

{search_replace("util.py", "def add(a, b):", "def plus(a, b):")}"""


@pytest.fixture
def fake(fake_openai: FakeOpenAI) -> FakeOpenAI:
    return fake_openai


@pytest.fixture
def assistant(greet_assistant: Assistant) -> Assistant:
    return greet_assistant


async def test_compose_stream_review_apply_undo(assistant: Assistant, fake: FakeOpenAI) -> None:
    fake.push(Reply(text=ANSWER))
    root = assistant.root
    app = make_app(root, assistant=assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComposeScreen)
        tree = screen.query_one(FileTree)
        assert {f.path for f in tree.entry.files()} == {"app.py", "util.py", "README.md"}
        text = screen_text(app)
        assert "app.py" in text and "tokens" in text and "$" in text  # counts, meter, cost
        await pilot.press(*"rename greet to welcome")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        state = app.screen.state
        assert state.session is assistant and state.result is not None
        assert [f.path for f in state.files] == ["app.py", "util.py"]
        await pilot.press("y", "y", "x")  # accept both app.py hunks, reject util.py
        await pilot.press("enter", "y")
        await pilot.pause()
        assert (root / "app.py").read_text() == APP.replace("greet", "welcome")
        assert (root / "util.py").read_text() == UTIL
        stored = assistant.store.load(state.result.session_id)
        assert stored is not None
        assert {(d.path, d.hunk): d.state for d in stored.decisions} == {
            ("app.py", 1): "applied",
            ("app.py", 2): "applied",
            ("util.py", 1): "rejected",
        }
        assert len(stored.applies) == 1
        await pilot.press("u")
        await pilot.pause()
        assert (root / "app.py").read_text() == APP
        stored = assistant.store.load(state.result.session_id)
        assert stored is not None and stored.applies[0].undone
    request = fake.requests[0]
    assert "rename greet to welcome" in request.body["messages"][-1]["content"]


async def test_escape_cancels_the_stream(assistant: Assistant, fake: FakeOpenAI) -> None:
    fake.push(Reply(text=ANSWER * 20, chunk_chars=4, first_byte_delay=0.5))
    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press(*"rename", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StreamScreen)
        stream = app.screen
        await pilot.press("escape")
        assert stream.cancel.is_set()
        await app.workers.wait_for_complete()
        await pilot.pause()
    (summary,) = assistant.history()
    assert summary.status == "cancelled"


async def test_rejected_hunk_goes_back_with_a_reason(
    assistant: Assistant, fake: FakeOpenAI
) -> None:
    fake.push(Reply(text=ANSWER), Reply(text=RETRY))
    result = assistant.ask("rename greet and type add")
    from tui.state import ReviewState

    app = make_app(assistant.root, review=ReviewState.for_result(assistant, result),
                   assistant=assistant)  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await pilot.press("X")
        await pilot.pause()
        await pilot.press(*"keep it untyped", "enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        again = app.screen.state.result
        assert again.parent_id == result.session_id
        assert [f.path for f in again.changeset] == ["util.py"]
    followup = fake.requests[1].body["messages"][-1]["content"]
    assert "keep it untyped" in followup and "util.py" in followup


async def test_history_opens_a_past_session(assistant: Assistant, fake: FakeOpenAI) -> None:
    fake.push(Reply(text=ANSWER))
    result = assistant.ask("rename greet")
    result.changeset.reject("util.py")
    assistant.save(result)
    app = make_app(assistant.root, assistant=assistant, screen="history")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert "rename greet" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        util = app.screen.state.changeset["util.py"]
        assert util.hunks[0].state == HunkState.REJECTED  # as it was left
        await pilot.press("q")
        assert isinstance(app.screen, HistoryScreen)
