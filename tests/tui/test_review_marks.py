"""The file list's marks say what was decided: a file with accepted and rejected hunks is
``±`` (not ``✓``), and the help says what each mark means. The side-by-side toggle is named
so that it cannot be read as the split of a hunk (``S``), in the footer and the help."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import PATCH, screen_text

from tui.app import make_app
from tui.screens.help import HelpScreen
from tui.state import ReviewState

pytestmark = pytest.mark.anyio


def _row(text: str, name: str) -> str:
    """The file list's line of ``name`` (the diff pane beside it cut off)."""
    return next(line for line in text.splitlines() if f" {name} +" in line).split("▕")[0]


async def _scroll_to(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Scroll the help down until ``text`` is on screen (a bounded number of lines)."""
    for _ in range(60):
        await pilot.pause()
        if text in screen_text(pilot.app):
            return
        await pilot.press("down")
    raise AssertionError(f"{text!r} not in the help")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_a_file_with_accepted_and_rejected_hunks_is_marked_mixed(
    repo: Path, size: tuple[int, int]
) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("y", "x", "y")  # a.py: hunk 1 accepted, hunk 2 rejected; b.txt: ✓
        await pilot.pause()
        text = screen_text(app)
        mixed, accepted = _row(text, "a.py"), _row(text, "b.txt")
        assert mixed.lstrip().startswith("±") and "✓" not in mixed, mixed
        assert accepted.lstrip().startswith("✓"), accepted
        if size[0] > 80:  # at 80 columns the path goes before the status word
            assert "1/2 accepted" in mixed, mixed


async def test_the_help_says_what_each_mark_means(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await _scroll_to(pilot, "in the file list: failed")  # the Review section's notes
        rows = [line.strip("█ ") for line in screen_text(app).splitlines()]
        for mark, meaning in (("·", "undecided"), ("✓", "accepted"), ("✗", "rejected"),
                              ("±", "some hunks accepted, some rejected"), ("●", "applied"),
                              ("!", "failed or a conflict")):  # fmt: skip
            assert any(
                row.startswith(mark) and row.endswith(f"in the file list: {meaning}")
                for row in rows
            ), (mark, rows)


async def test_the_side_by_side_toggle_is_not_named_like_the_hunk_split(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "d Columns" in footer and "Split" not in footer, footer
        await pilot.press("question_mark")
        await _scroll_to(pilot, "side by side")
        help_lines = screen_text(app).splitlines()
        toggle = next(line for line in help_lines if line.strip("█ ").startswith("d "))
        assert "side by side" in toggle and "split" not in toggle.lower(), toggle
