"""While the search or filter box has the focus, the footer says how to finish it.

Walked at 160x48 on a 72-file attrs patch: with the filter box open and a term typed, the
footer was empty (the screen's keys type into the box); the only hint, the placeholder,
goes at the first key typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import PATCH, screen_text

from tui.app import make_app
from tui.state import ReviewState

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("key", ["f", "slash"])
async def test_the_footer_names_enter_and_escape_while_typing(repo: Path, key: str) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key, "a")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "⏎ Done" in footer and "esc Clear" in footer, footer
        await pilot.press("enter")
        await pilot.pause()
        assert "n Next hunk" in screen_text(app).splitlines()[-1]
