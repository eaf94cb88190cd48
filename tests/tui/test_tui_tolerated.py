"""The Review screen marks a hunk placed by a tolerance, at 80x24 (Pilot).

A real file (CPython's ``textwrap.py``) with trailing whitespace on two lines, and a real
``git diff`` made from the clean file (``tests/tolerancekit.py``): hunk 1 matches exactly,
hunk 2 only with trailing whitespace ignored. The screen must say so where a reviewer looks:
the title bar, the file list, the hunk's header and the note under it, the status bar.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tolerancekit import DRIFTED, PATCH
from tuikit import screen_text

from tui.app import make_app
from tui.screens.review import ReviewScreen
from tui.state import ReviewState

pytestmark = pytest.mark.anyio
SMALL = (80, 24)


def _app(root: Path):  # type: ignore[no-untyped-def]
    state = ReviewState.from_patch(root, PATCH, title="change.diff")
    return make_app(root, review=state), state


def _row(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)


async def test_a_tolerated_hunk_is_marked_at_80x24(make_repo) -> None:
    root = make_repo({"textwrap.py": DRIFTED})
    app, state = _app(root)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "~ 1 hunk placed by a tolerance" in text.splitlines()[0]  # the title bar
        assert "textwrap.py +2 -2 ~" in text  # the file list: the file has a tolerated hunk
        first = _row(text, "hunk 1 of 2").split("▕")[-1]  # the diff pane's part of the row
        assert first.endswith(" pending") and "~" not in first  # exact: no mark
        assert "~" not in text.splitlines()[-2]  # the status bar, on hunk 1
        await pilot.press("n")
        assert isinstance(app.screen, ReviewScreen) and app.screen.diff.current_hunk == 2
        text = screen_text(app)
        lines = text.splitlines()
        header = next(i for i, line in enumerate(lines) if "hunk 2 of 2" in line)
        assert lines[header].endswith("~ pending")
        assert lines[header + 1].endswith("    ~ trailing whitespace ignored")
        assert lines[-2].endswith("~ trailing whitespace ignored")  # the status bar
        await pilot.press("y")
        assert _row(screen_text(app), "hunk 2 of 2").endswith("~ ✓ accepted")
    assert state.changeset["textwrap.py"].hunk(2).tolerated == ("trailing whitespace ignored",)

    exact, _ = _app(make_repo({"textwrap.py": DRIFTED.replace("  \n", "\n")}))
    async with exact.run_test(size=SMALL) as pilot:  # the same patch, matching exactly
        await pilot.pause()
        await pilot.press("n")
        text = screen_text(exact)
        assert "~" not in text and "tolerance" not in text
        assert _row(text, "hunk 2 of 2").endswith(" pending")


async def test_what_was_tolerated_is_shown_inert(make_repo) -> None:
    """The phrases are shown, never obeyed: no markup parsed, no control sent raw."""
    root = make_repo({"textwrap.py": DRIFTED})
    app, state = _app(root)
    hunk = state.changeset["textwrap.py"].hunk(2)
    hunk.tolerated = ("[b]bold[/b] \x1b]52;c;eA==\x07 x",)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        shown = "~ [b]bold[/b] \\x1b]52;c;eA==\\x07 x"
        assert shown in _row(text, "52;c")  # the note under the header
        assert text.splitlines()[-2].endswith(shown)  # the status bar: no markup parsed


async def test_a_long_phrase_is_wrapped_whole_at_80x24(make_repo) -> None:
    """Phrases are shown as they come (the matcher may name line numbers): wrapped, not cut."""
    root = make_repo({"textwrap.py": DRIFTED})
    app, state = _app(root)
    long = "placed by its line number 478 (the same lines are also at 1067)"
    state.changeset["textwrap.py"].hunk(2).tolerated = (long, "trailing whitespace ignored")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("n")
        lines = screen_text(app).splitlines()
        at = next(i for i, line in enumerate(lines) if "hunk 2 of 2" in line)
        notes = [line.split("▌", 1)[1].strip() for line in lines[at + 1 : at + 4]]
        assert notes[0].startswith("~ placed by its line number 478")
        assert " ".join(notes[:2]) == f"~ {long}"
        assert notes[2] == "~ trailing whitespace ignored"
