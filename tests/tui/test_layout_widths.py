"""Layout at 80x24 and 160x48: file list lines fit, the footer keeps its keys, split halves
wrap long lines instead of cutting them (Pilot; a small patch whose context line is longer
than half the pane)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tuikit import screen_text

from tui.app import make_app
from tui.state import ReviewState
from tui.widgets.file_list import shorten_path

LONG = "x = compute(alpha, beta, gamma)  # " + "a fairly long explanation of it " * 4
SOURCE = "def f():\n    return 1\n" + LONG + "\n"
PATCH = (
    "--- a/assistant/packing/select.py\n+++ b/assistant/packing/select.py\n"
    "@@ -1,3 +1,3 @@\n def f():\n-    return 1\n+    return 2\n " + LONG + "\n"
)


def test_shorten_path_cuts_whole_directories_from_the_left() -> None:
    assert shorten_path("assistant/packing/select.py", 40) == "assistant/packing/select.py"
    assert shorten_path("assistant/packing/select.py", 20) == "…/packing/select.py"
    assert shorten_path("assistant/packing/select.py", 12) == "…/select.py"
    assert shorten_path("assistant/packing/select.py", 3) == "…/select.py"  # the name stays


def _screen(root: Path, size: tuple[int, int], keys: tuple[str, ...] = ()) -> str:
    async def run() -> str:
        app = make_app(root, review=ReviewState.from_patch(root, PATCH, title="t.diff"))
        async with app.run_test(size=size) as pilot:
            await pilot.press(*keys)
            await pilot.pause()
            return screen_text(app)

    return asyncio.run(run())


def test_80x24_file_name_and_essential_keys_visible(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"assistant/packing/select.py": SOURCE})
    text = _screen(root, (80, 24))
    assert " · M …/select.py +1 -1 " in text  # one line, shortened from the left
    footer = text.splitlines()[-1]
    for key in ("n Next hunk", "y Accept", "x Reject", "d Columns", "Apply", "? Help", "q Back"):
        assert key in footer, footer


def test_split_view_wraps_long_lines_instead_of_cutting(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"assistant/packing/select.py": SOURCE})
    for size in ((160, 48), (80, 24)):
        text = _screen(root, size, ("d",))
        drawn = sum(line.count("a") for line in text.splitlines())
        # every "a" of the long line shows, on both halves (a context line), not cut off
        assert drawn >= 2 * LONG.count("a"), text
