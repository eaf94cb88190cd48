"""A failed hunk's report is wrapped to the pane, in both views and after a resize; the
side-by-side toggle keeps the hunk under the cursor.

Walked at 80x24 on a clone of attrs: the report's first line, what failed ("the lines to
replace are not in the file (tried exact, ...)"), was cut at the pane's edge, and notes do
not scroll sideways, so it could not be read. Pressing ``d`` on the second hunk of a file
showed the first one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import PATCH, screen_text

from tui.app import make_app
from tui.state import ReviewState
from tui.widgets.diff_view import DiffView

pytestmark = pytest.mark.anyio
FAILING = PATCH.replace("-    return x + 10", "-    return x + 1O")


def _words(text: str) -> list[str]:
    return " ".join(line.replace("▕", " ").replace("▌", " ") for line in text.splitlines()).split()


async def test_the_failure_report_is_wrapped_not_cut_at_80_columns(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, FAILING, title="t.diff"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        pane = app.screen.query_one(DiffView)
        report = pane.file.hunk(2).failure.describe().splitlines()[0]  # type: ignore[union-attr]
        for keys in ((), ("d",)):
            await pilot.press(*keys)
            await pilot.pause()
            shown = " ".join(_words(screen_text(app)))
            assert " ".join(report.split()) in shown, (report, screen_text(app))
            assert pane.current_hunk == 2  # d kept the failed hunk in view
        await pilot.resize_terminal(160, 30)
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("trailing whitespace, indentation" in line for line in lines)  # re-wrapped
        assert " ".join(report.split()) in " ".join(_words("\n".join(lines)))


async def test_d_keeps_the_hunk_under_the_cursor(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        pane = app.screen.query_one(DiffView)
        assert pane.current_hunk == 2
        for split in (True, False):
            await pilot.press("d")
            await pilot.pause()
            assert pane.split is split and pane.current_hunk == 2
