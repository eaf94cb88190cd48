"""Compose after Review: the follow-up box continues the session; ctrl+f asks a question.

Pilot against the real fake OpenAI server; asserting on the requests it received and on the
session store.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakeopenai import FakeOpenAI, Reply
from greetkit import rename
from tuikit import quick_assistant, screen_text

from assistant.session import NO_EDITS, SYSTEM_ASK, Assistant
from tui.app import make_app
from tui.screens.compose import ComposeScreen
from tui.screens.review import ReviewScreen
from tui.screens.stream import StreamScreen

pytestmark = pytest.mark.anyio

APP = 'def greet(name):\n    return "hi " + name\n'
ANSWER = rename(lead="I rename greet.\n\n")


@pytest.fixture
def assistant(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    with quick_assistant(make_repo({"app.py": APP, "README.md": "# demo\n"}), fake_openai) as a:
        yield a


async def _settle(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_leaving_review_offers_a_follow_up_that_continues_the_session(
    assistant: Assistant, fake_openai: FakeOpenAI, size: tuple[int, int]
) -> None:
    fake_openai.push(Reply(text=ANSWER), Reply(text="The docs now say welcome.\n"))
    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=size) as pilot:
        await _settle(pilot, app)
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        assert "Follow up on" not in screen_text(app)
        await pilot.press(*"rename greet", "ctrl+s")
        await _settle(pilot, app)
        assert isinstance(app.screen, ReviewScreen)
        first = app.screen.state.result
        assert first is not None
        await pilot.press("q")  # leave Review undecided
        await _settle(pilot, app)
        assert app.screen is compose
        assert compose.follow == first.session_id
        assert f"Follow up on #{first.session_id}" in screen_text(app)
        assert app.focused is compose.query_one("#followup")
        await pilot.press(*"now also update the docs", "ctrl+s")
        await _settle(pilot, app)
        assert isinstance(app.screen, StreamScreen)
    (second, _) = assistant.history(limit=2)
    assert second.parent_id == first.session_id
    one, two = (r.messages for r in fake_openai.requests)
    assert two[:2] == one and two[2]["content"] == ANSWER
    assert two[3]["content"].endswith("now also update the docs")


async def test_ctrl_l_drops_the_follow_up_and_ctrl_t_asks_a_question(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=ANSWER), Reply(text="greet says hi.\n"))
    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=(100, 30)) as pilot:
        await _settle(pilot, app)
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        await pilot.press(*"rename greet", "ctrl+s")
        await _settle(pilot, app)
        await pilot.press("q")
        await _settle(pilot, app)
        assert compose.follow is not None
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert compose.follow is None and "Follow up on" not in screen_text(app)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert "Ask (ctrl+s)" in screen_text(app) and "question" in screen_text(app)
        task = compose.query_one("#task")
        task.clear()  # type: ignore[attr-defined]
        await pilot.press(*"what does greet do?", "ctrl+s")
        await _settle(pilot, app)
        assert isinstance(app.screen, StreamScreen)
        await pilot.press("escape")  # an answer without edits: back to Compose
        await _settle(pilot, app)
        assert app.screen is compose and compose.follow is not None
    latest = assistant.history(limit=1)[0]
    assert latest.parent_id is None  # a new session, not a follow-up
    assert assistant.load(latest.session_id).edit_format == NO_EDITS
    assert fake_openai.requests[-1].messages[0]["content"] == SYSTEM_ASK


async def test_the_meter_tooltip_names_the_instruction_files_the_tree_leaves_out(
    make_repo, fake_openai: FakeOpenAI
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"app.py": APP, "AGENTS.md": "Type every function.\n"})
    with quick_assistant(root, fake_openai) as a:
        app = make_app(root, assistant=a)
        async with app.run_test(size=(100, 30)) as pilot:
            await _settle(pilot, app)
            from tui.widgets.budget_meter import BudgetMeter
            from tui.widgets.file_tree import FileTree

            assert [f.path for f in app.screen.query_one(FileTree).entry.files()] == ["app.py"]
            tip = str(app.screen.query_one(BudgetMeter).tooltip)
            assert "instruction files, in the system message" in tip and "AGENTS.md:" in tip


async def test_at_80_columns_the_compose_footer_keeps_help_and_quit(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    """With a follow-up offered (ctrl+l named by the box's border) and with the file tree
    focused (space named by the tree's border), every footer key fits 80 columns; walked in
    tmux, ``^q Quit`` was cut to ``^q Q`` in the one case and ``^g Help`` lost in the other."""
    fake_openai.push(Reply(text=ANSWER))
    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot, app)
        await pilot.press(*"rename greet", "ctrl+s")
        await _settle(pilot, app)
        await pilot.press("q")
        await _settle(pilot, app)
        compose = app.screen
        assert isinstance(compose, ComposeScreen) and compose.follow is not None
        for focus in ("#followup", "#tree"):
            compose.query_one(focus).focus()
            await pilot.pause()
            text = screen_text(app)
            footer = text.splitlines()[-1]
            assert footer.rstrip().endswith("^g Help ^q Quit"), (focus, footer)
        assert "^l new session" in text and "space: include/exclude" in text
        await pilot.press("ctrl+l")  # still bound: drops the follow-up
        await pilot.pause()
        assert compose.follow is None
