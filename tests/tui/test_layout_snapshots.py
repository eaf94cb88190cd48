"""Snapshots of the side-by-side view at 160x48 and 80x24, with a line longer than half the
pane (it wraps, both halves level, instead of being cut)."""

from __future__ import annotations

from test_layout_widths import PATCH, SOURCE

from tui.app import make_app
from tui.state import ReviewState


def test_split_160x48(snap_compare, make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"assistant/packing/select.py": SOURCE})
    app = make_app(root, review=ReviewState.from_patch(root, PATCH, title="t.diff"))
    assert snap_compare(app, press=["d"], terminal_size=(160, 48))


def test_split_80x24(snap_compare, make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"assistant/packing/select.py": SOURCE})
    app = make_app(root, review=ReviewState.from_patch(root, PATCH, title="t.diff"))
    assert snap_compare(app, press=["d"], terminal_size=(80, 24))
