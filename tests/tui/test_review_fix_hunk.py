"""A failed hunk edited by hand into place: ``e`` on it opens the hunk as a diff; saved, it
is placed by the same matcher and becomes an undecided hunk, or the refusal is shown.
Nothing reaches the disk before apply."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import A_PY, PATCH, screen_text

from assistant.edits import HunkState
from tui.app import make_app
from tui.screens.fix_hunk import FixHunkScreen
from tui.screens.review import ReviewScreen
from tui.state import ReviewState

pytestmark = pytest.mark.anyio
FAILING = PATCH.replace("-    return x + 10", "-    return x + 1O")
SIZE = (120, 40)


async def _open_fix(app: object, pilot: object) -> FixHunkScreen:
    await pilot.press("n")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ReviewScreen) and screen.diff.current_hunk == 2
    assert screen.state.files[0].hunk(2).state == HunkState.FAILED
    await pilot.press("e")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    fix = app.screen  # type: ignore[attr-defined]
    assert isinstance(fix, FixHunkScreen)
    return fix


async def test_a_fixed_hunk_places_and_is_undecided(repo: Path) -> None:
    state = ReviewState.from_patch(repo, FAILING, title="failing")
    app = make_app(repo, review=state)
    async with app.run_test(size=SIZE) as pilot:
        fix = await _open_fix(app, pilot)
        area = fix.query_one("#fix-text")
        assert "-    return x + 1O\n" in area.text  # type: ignore[attr-defined]
        assert "+    return x * 10\n" in area.text  # type: ignore[attr-defined]
        assert "closest region" in screen_text(app)  # why it failed, and where
        area.text = area.text.replace("1O", "10")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        hunk = state.files[0].hunk(2)
        assert hunk.state == HunkState.PENDING and hunk.failure is None
        assert hunk.old_start == 31 and hunk.new_lines[1] == "    return x * 10"
        assert (repo / "a.py").read_text() == A_PY  # nothing written before apply
        await pilot.press("y")
        await pilot.press("enter", "y")
        await pilot.pause()
    text = (repo / "a.py").read_text()
    assert "    return x * 10\n    # changed\n" in text and "return x + 10\n" not in text


async def test_an_edit_that_still_fails_is_refused_and_kept(repo: Path) -> None:
    state = ReviewState.from_patch(repo, FAILING, title="failing")
    app = make_app(repo, review=state)
    async with app.run_test(size=SIZE) as pilot:
        fix = await _open_fix(app, pilot)
        await pilot.press("ctrl+s")  # unchanged: still not in the file
        await pilot.pause()
        assert app.screen is fix
        assert "not placed:" in screen_text(app)
        assert state.files[0].hunk(2).state == HunkState.FAILED
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    assert (repo / "a.py").read_text() == A_PY


async def test_at_80x24_the_editor_gets_the_screen_height(repo: Path) -> None:
    """The reason (with where the file differs) and the hunk's every line show at once; the
    editor has room to add lines (it had 3 rows, one hunk line short of this one's)."""
    state = ReviewState.from_patch(repo, FAILING, title="failing")
    app = make_app(repo, review=state)
    async with app.run_test(size=(80, 24)) as pilot:
        fix = await _open_fix(app, pilot)
        area = fix.query_one("#fix-text")
        assert area.scrollable_content_region.height >= 8, area.size
        text = screen_text(app)
        assert "first difference: line 32" in text and "file:     return x + 10" in text
        lines = area.text.splitlines()  # type: ignore[attr-defined]
        for number, line in enumerate(lines, 1):
            assert f"{number}  {line}".rstrip() in text, (number, line)
        assert "ctrl+s places it" in text and "^s Place" in text.splitlines()[-1]
