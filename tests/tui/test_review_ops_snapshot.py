"""The Review's new states at 80x24: the search box with its matches marked, the file list
filtered, a hunk split into lines (pytest-textual-snapshot, see test_tui_snapshots.py)."""

from __future__ import annotations

from pathlib import Path

from tuikit import PATCH

from tui.app import make_app
from tui.state import ReviewState


def _app(repo: Path):  # type: ignore[no-untyped-def]
    return make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="test.diff"))


def test_review_search_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(repo), press=["slash", *"return x"], terminal_size=(80, 24))


def test_review_filter_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(repo), press=["f", *"b.t", "enter"], terminal_size=(80, 24))


def test_review_split_lines_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(repo), press=["n", "L"], terminal_size=(80, 24))
