"""Colours of the diff pane on a 256-colour terminal (TERM=screen-256color, no COLORTERM).

Textual downgrades the theme's truecolour to the nearest of the 256-colour palette; what
counts is the contrast of what the terminal then shows. Each style of the diff pane is read
from the running app, quantised with rich's own downgrade, and measured (WCAG 2 contrast
ratio, 4.5:1 for text). On the light theme, added and removed lines used to land on the same
grey (198,198,198), so nothing told them apart.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.color import Color, ColorSystem
from tuikit import PATCH

from tui.app import make_app
from tui.state import ReviewState
from tui.widgets.diff_view import DiffView

RGB = tuple[int, int, int]
TEXT = ("added", "removed", "added-word", "removed-word", "lineno", "pending", "header")


def quantised(colour: Color) -> RGB:
    triplet = colour.downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
    return triplet.red, triplet.green, triplet.blue


def contrast(a: RGB, b: RGB) -> float:
    def luminance(rgb: RGB) -> float:
        def channel(c: int) -> float:
            v = c / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _styles(repo: Path, theme: str) -> dict[str, tuple[RGB, RGB]]:
    async def read() -> dict[str, tuple[RGB, RGB]]:
        app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
        async with app.run_test(size=(80, 24)) as pilot:
            app.theme = theme
            await pilot.pause()
            pane = app.screen.query_one(DiffView)
            out = {}
            for name in (*TEXT, "note"):
                style = pane._style(name)
                assert style.color is not None and style.bgcolor is not None
                out[name] = (quantised(style.color), quantised(style.bgcolor))
            return out

    return asyncio.run(read())


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_diff_text_keeps_contrast_after_256_colour_quantisation(repo: Path, theme: str) -> None:
    styles = _styles(repo, theme)
    low = {n: round(contrast(*styles[n]), 2) for n in TEXT if contrast(*styles[n]) < 4.5}
    assert low == {}, f"under 4.5:1 on a 256-colour terminal: {low}"


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_added_and_removed_lines_keep_their_hue_in_256_colours(repo: Path, theme: str) -> None:
    styles = _styles(repo, theme)
    (ar, ag, ab), (rr, rg, rb) = styles["added"][1], styles["removed"][1]
    assert ag > ar and ag > ab, f"added background is not green: {styles['added'][1]}"
    assert rr > rg and rr > rb, f"removed background is not red: {styles['removed'][1]}"


def test_notes_readable_on_the_dark_theme(repo: Path) -> None:
    assert contrast(*_styles(repo, "textual-dark")["note"]) >= 4.5
