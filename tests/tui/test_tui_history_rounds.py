"""The TUI's History screen groups a request's repair rounds under it, as ``tome history``
does: one row per request (status, files and cost the request's: its taken round's status
and changeset, every round's cost), then a row per round with its own status, files, the
prompt it was billed and what it did; Enter on the request reviews the taken round's
changeset, on a round that round's (tui.screens.history, the ``rounds`` table)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakeopenai import FakeOpenAI, Reply
from test_tui_rounds import APP, FIRST, SECOND
from textual.widgets import DataTable
from tuikit import quick_assistant, screen_text, until

from assistant.session import Assistant
from tui.app import make_app
from tui.screens.history import HistoryScreen
from tui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def assistant(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    with quick_assistant(make_repo({"app.py": APP, "README.md": "# demo\n"}), fake_openai) as a:
        yield a


def _rows(table: DataTable[object]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_rounds_are_rows_under_their_request_and_enter_opens_each(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    fake_openai.prefix_cache = True
    fake_openai.push(Reply(text=FIRST), Reply(text=SECOND), Reply(text="Nothing to do.\n"))
    looped = assistant.ask("rename greet")
    assert (looped.session_id, looped.round, looped.stopped) == (2, 2, "placed")  # premise
    assistant.ask("only look", max_rounds=0)
    app = make_app(assistant.root, assistant=assistant, screen="history")
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen), "the History screen")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 4, "a row per request and per round")
        rows = _rows(table)
        ids = [r[0] for r in rows]
        assert ids == ["3", "1", "├ 1", "└ 2"]  # newest request first, its rounds in order
        request, one, two = rows[1:]
        assert request[2:4] == ["answered", "1"] and request[6] == "rename greet  (2 rounds)"
        assert one[2] == "answered" and one[4].endswith(" in")
        assert one[6].startswith("round 1 · 1 failed · ") and "taken" not in one[6]
        assert two[6].startswith("round 2 · 1 fixed · taken: every hunk placed · ")
        billed = assistant.load(2).rounds[1].usage
        assert billed is not None and billed.cache_hit_tokens > 0
        assert two[4] == f"{billed.prompt_tokens:,} in"
        assert f"{billed.cache_hit_tokens:,} cached, {billed.completion_tokens:,} out" in two[6]
        assert "round 2" not in rows[0][6]  # a plain request has no round rows

        await pilot.press("down")  # the request: Enter reviews what the loop gave (round 2)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the Review screen")
        assert app.screen.state.result.session_id == 2  # type: ignore[attr-defined]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen), "History again")
        await pilot.press("down", "enter")  # round 1: its own changeset, the failed hunk in it
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "round 1's Review")
        result = app.screen.state.result  # type: ignore[attr-defined]
        assert result.session_id == 1 and len(result.changeset.failures) == 1
        assert "Traceback" not in screen_text(app)


async def test_a_hostile_task_and_round_are_shown_as_text(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    """The task and what a round did come from the store (``.tome/`` is untrusted): markup
    and escapes are shown inert, never interpreted."""
    import sqlite3

    fake_openai.push(Reply(text=FIRST), Reply(text=SECOND))
    assistant.ask("[b red]bold[/] \x1b[2J look")
    with sqlite3.connect(assistant.root / ".tome" / "history.db") as con:
        con.execute("UPDATE rounds SET checks = ? WHERE number = 2", ("\x1b]8;;x\x07[i]y[/i]",))
    con.close()
    app = make_app(assistant.root, assistant=assistant, screen="history")
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen), "the History screen")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 3, "the request's row and its rounds")
        task, did = str(table.get_row_at(0)[6]), str(table.get_row_at(2)[6])
        assert "[b red]bold[/]" in task and "\x1b" not in task
        assert "[i]y[/i]" in did and "\x1b" not in did and "\x07" not in did
        assert "Traceback" not in screen_text(app)
