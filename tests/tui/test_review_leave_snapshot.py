"""The question ``q`` asks when accepted hunks are not written yet, at 80x24 (the three
choices and the whole question fit; pytest-textual-snapshot, see test_tui_snapshots.py)."""

from __future__ import annotations

from pathlib import Path

from tuikit import PATCH

from tui.app import make_app
from tui.state import ReviewState


def test_review_leave_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="test.diff"))
    assert snap_compare(app, press=["y", "q"], terminal_size=(80, 24))
