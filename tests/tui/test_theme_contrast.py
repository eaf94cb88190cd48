"""Every text/background pair the TUI draws reads at 4.5:1 (WCAG 2 AA), and every divider
(borders, the hunk marker, scrollbars) shows at 3:1, on both themes.

Measured on what the terminal is sent: the screen's composited lines after every line filter,
each segment's foreground against its background, on each screen in the states a user meets
(pending, accepted, rejected, a failed hunk, a tolerated one, the cursor row, a search match,
side by side, the explanation, a dialog, Compose, History, help). Decoration (borders, the
scrollbar, the hunk marker: box-drawing and block glyphs) is not text: it needs 3:1 (the
light theme's dividers were 1.37:1).

Before the fix, on the light theme: notes 3.0:1, "accepted" 3.5:1, the file list's counts
1.5:1, syntax colours on an added line 1.8:1, the footer's keys 2.9:1; on the dark one the
file list's "-3" was 2.5:1.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from textual.app import App
from tolerancekit import DRIFTED
from tolerancekit import PATCH as TOLERATED_PATCH
from tuikit import PATCH

from tui.app import TomeApp, make_app
from tui.contrast import contrast, decoration, readable
from tui.screens.history import HistoryScreen
from tui.state import ReviewState

THEMES = ["textual-dark", "textual-light"]
FAILING = PATCH.replace("-    return x + 10", "-    return x + 1O")
EXPLAINED = "f0 now returns 100.\n\n```diff\n" + PATCH + "```\n\nRun the tests.\n"


def low_pairs(app: App[Any]) -> dict[str, float]:
    """Text under 4.5:1 on screen, and dividers (box-drawing and block glyphs: borders, the
    hunk marker, scrollbars) under 3:1: ``{"row y: text": ratio}``."""
    low: dict[str, float] = {}
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for seg in strip:
            assert isinstance(seg, Segment)
            style = seg.style
            if style is None or not seg.text.strip() or style.color is None:
                continue
            need = 3.0 if decoration(seg.text) else 4.5
            assert style.bgcolor is not None, f"row {y}: {seg.text!r} has no background"
            fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
            if style.reverse:
                fg, bg = bg, fg
            ratio = contrast(tuple(fg), tuple(bg))  # type: ignore[arg-type]
            if ratio < need:
                low[f"row {y}: {seg.text.strip()[:24]}"] = round(ratio, 2)
    return low


async def _walk(app: App[Any], theme: str, keys: list[str], size: tuple[int, int]) -> dict:
    found: dict[str, dict[str, float]] = {}
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        found["start"] = low_pairs(app)
        for key in keys:
            await pilot.press(*key.split(" "))
            await pilot.pause()
            found[key] = low_pairs(app)
    return {k: v for k, v in found.items() if v}


def _run(app: App[Any], theme: str, keys: list[str], size: tuple[int, int] = (100, 30)) -> dict:
    return asyncio.run(_walk(app, theme, keys, size))


@pytest.mark.parametrize("theme", THEMES)
def test_review_text_reads_at_4_5(repo: Path, theme: str) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, EXPLAINED, title="t.diff"))
    keys = ["y", "x", "S", "S", "slash f 1 0 enter", "w", "question_mark", "escape", "q"]
    assert _run(app, theme, keys) == {}


@pytest.mark.parametrize("theme", THEMES)
def test_failed_and_tolerated_hunks_read_at_4_5(make_repo, theme: str) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"textwrap.py": DRIFTED})
    app = make_app(root, review=ReviewState.from_patch(root, TOLERATED_PATCH, title="t"))
    assert _run(app, theme, ["n", "y"], size=(80, 24)) == {}


@pytest.mark.parametrize("theme", THEMES)
def test_failed_hunk_and_its_fix_read_at_4_5(repo: Path, theme: str) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, FAILING, title="t.diff"))
    assert _run(app, theme, ["n", "e"]) == {}


@pytest.mark.parametrize("theme", THEMES)
def test_compose_and_history_read_at_4_5(repo: Path, theme: str) -> None:
    from test_tui_snapshots import _Assistant

    fake: Any = _Assistant(repo)
    assert _run(make_app(repo, assistant=fake), theme, ["r e n a m e", "ctrl+g"]) == {}
    history = TomeApp(repo, lambda app: HistoryScreen(fake, now=1_000_042.0), assistant=fake)
    assert _run(history, theme, []) == {}


@pytest.mark.parametrize(
    ("fg", "bg"),
    [((78, 191, 113), (216, 216, 216)), ((1, 120, 212), (30, 30, 30)), ((0, 0, 0),) * 2],
)
def test_readable_reaches_the_ratio_and_keeps_the_hue(fg: Any, bg: Any) -> None:
    moved = readable(fg, bg)
    assert contrast(moved, bg) >= 4.5
    if fg != bg:  # a hue to keep: the strongest channel stays the strongest
        assert max(range(3), key=lambda i: moved[i]) == max(range(3), key=lambda i: fg[i])


def test_readable_leaves_readable_text_alone() -> None:
    assert readable((240, 240, 240), (30, 30, 30)) == (240, 240, 240)
