"""The help at 80x24: a description too long for its line wraps in its own column.

Walked at 80x24: "include / exclude the file or folder under the" went on with "cursor"
under the keys, where a reader looks for the next key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import PATCH, screen_text

from tui.app import make_app
from tui.state import ReviewState

pytestmark = pytest.mark.anyio


async def test_a_long_description_wraps_under_itself(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        [at] = [i for i, line in enumerate(lines) if "next hunk, across files" in line]
        column = lines[at].index("next hunk")
        after = lines[at + 1]
        assert "match)" in after, lines[at : at + 2]
        assert after.index("match)") == column, lines[at : at + 2]  # under the description
        assert not after[lines[at].index(" n ") + 1 : column].strip()  # nothing in the keys
