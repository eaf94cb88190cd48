"""Side by side at 80 columns, a line longer than its half wraps at word boundaries: every
word narrower than the half shows whole on one row, the halves stay level (the divider in
one column on every row), and a word wider than the half is still broken, not lost.

Before the fix each half was cut every ``width`` cells, mid-word (``explan`` / ``ation``).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from test_layout_widths import LONG, PATCH, SOURCE
from tuikit import screen_text

from tui.app import make_app
from tui.diffrows import wrap_cells
from tui.state import ReviewState


def _split_screen(root: Path, patch: str, size: tuple[int, int]) -> list[str]:
    async def run() -> list[str]:
        app = make_app(root, review=ReviewState.from_patch(root, patch, title="t.diff"))
        async with app.run_test(size=size) as pilot:
            await pilot.press("d")
            await pilot.pause()
            return screen_text(app).splitlines()

    return asyncio.run(run())


def test_split_wraps_at_word_boundaries_at_80_columns(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"assistant/packing/select.py": SOURCE})
    lines = _split_screen(root, PATCH, (80, 24))
    rows = [line for line in lines if "│" in line and line.count("│") == 1]
    assert len(rows) >= 4, "\n".join(lines)
    halves = [row.split("│") for row in rows]
    columns = {len(row.split("│")[0]) for row in rows}
    assert len(columns) == 1, f"the divider moves: {columns}\n" + "\n".join(rows)
    for side in (0, 1):
        text = "\n".join(h[side] for h in halves)
        for word in set(re.findall(r"\w+", LONG)):  # no identifier is broken
            assert re.search(rf"(?<!\w){word}(?!\w)", text), (word, text)


def test_a_word_wider_than_the_half_is_broken_not_lost(make_repo) -> None:  # type: ignore[no-untyped-def]
    word = "z" * 70
    source = "def f():\n    return 1\n" + word + "\n"
    patch = (
        "--- a/w.py\n+++ b/w.py\n"
        "@@ -1,3 +1,3 @@\n def f():\n-    return 1\n+    return 2\n " + word + "\n"
    )
    root = make_repo({"w.py": source})
    text = "\n".join(_split_screen(root, patch, (80, 24)))
    assert text.count("z") == 2 * len(word), text


def test_wrap_cells_ranges() -> None:
    text = "x = compute(alpha, beta)  # an explanation"
    pieces = [text[a:b] for a, b in wrap_cells(text, 20)]
    assert pieces == ["x = compute(alpha, ", "beta)  # an ", "explanation"]
    assert wrap_cells("short", 20) == ((0, 5),)
    assert [b - a for a, b in wrap_cells("y" * 25, 10)] == [10, 10, 5]
    assert wrap_cells("    indented words", 12) == ((0, 12), (13, 18))  # indent kept
    code = "        if isinstance(converter, Converter):"
    assert [code[a:b] for a, b in wrap_cells(code, 22)] == [
        "        if isinstance(",  # broken after the bracket, not inside a name
        "converter, Converter):",
    ]
