"""Tab then j, typed faster than the app handles them, moves in the file list.

Found by the tmux key test on a loaded machine: Tab's focus change was deferred (Textual's
``focus()`` waits for a callback queued behind keys already received), so the ``j`` queued
with it still moved a line in the diff instead of going to the next file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from tuikit import PATCH

from tui.app import make_app
from tui.screens.review import ReviewScreen
from tui.state import ReviewState
from tui.widgets.file_list import FileList

pytestmark = pytest.mark.anyio


async def test_tab_then_j_in_one_burst_goes_to_the_next_file(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        for key, char in (("tab", None), ("j", "j")):  # both queued before either is handled
            app.post_message(events.Key(key, char))
        await pilot.pause()
        assert isinstance(app.focused, FileList)
        assert screen.file_index == 1
