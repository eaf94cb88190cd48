"""ctrl+r in Compose recounts after files changed on disk: the tree's counts and the meter
follow the files as they are now, and with a task written the request is planned again
(the meter then shows the new plan's prompt, to the token). The key is in the footer."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tuikit import GREET_UTIL, screen_text

from assistant import tokens
from assistant.session import Assistant
from tui.app import make_app
from tui.widgets.budget_meter import BudgetMeter
from tui.widgets.file_tree import FileTree

pytestmark = pytest.mark.anyio
SIZE = (120, 40)
MORE = Path(textwrap.__file__).read_text(encoding="utf-8")  # real code, a few thousand tokens


async def _settle(app, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _tokens_of(app, path: str) -> int:  # type: ignore[no-untyped-def]
    return dict((f.path, f.tokens) for f in app.screen.query_one(FileTree).entry.files())[path]


async def test_ctrl_r_recounts_a_file_changed_on_disk(greet_assistant: Assistant) -> None:
    a = greet_assistant
    app = make_app(a.root, assistant=a)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        assert "^r Recount" in screen_text(app).splitlines()[-1]  # in the footer
        before = app.screen.query_one(BudgetMeter).budget
        assert before is not None and not before.planned
        util = a.root / "util.py"
        util.write_text(GREET_UTIL + "\n\n" + MORE, encoding="utf-8")
        await pilot.pause()
        assert app.screen.query_one(BudgetMeter).budget == before  # nothing recounts by itself
        await pilot.press("ctrl+r")
        await _settle(app, pilot)
        after = app.screen.query_one(BudgetMeter).budget
        grown = tokens.count(util.read_text(), "cl100k_base")
        assert _tokens_of(app, "util.py") == grown
        assert after is not None and not after.planned and grown > 1000
        assert after.tokens - before.tokens == grown - tokens.count(GREET_UTIL, "cl100k_base")


async def test_ctrl_r_with_a_task_plans_the_changed_files(greet_assistant: Assistant) -> None:
    a = greet_assistant
    app = make_app(a.root, assistant=a)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press(*"type add", "ctrl+r")
        await _settle(app, pilot)
        first = app.screen.query_one(BudgetMeter).budget
        assert first is not None and first.planned
        assert first.tokens == a.plan("type add").prompt_tokens
        (a.root / "wrap.py").write_text(MORE, encoding="utf-8")  # a new file, too
        await pilot.press("ctrl+r")
        await _settle(app, pilot)
        again = app.screen.query_one(BudgetMeter).budget
        assert again is not None and again.planned
        assert again.tokens == a.plan("type add").prompt_tokens > first.tokens + 1000
        assert "wrap.py" in {f.path for f in app.screen.query_one(FileTree).entry.files()}
