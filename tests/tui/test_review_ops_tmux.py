"""The Review's search, filter, all-files and split keys in a real terminal (tmux), each
with its effect read off the pane; a burst typed after ``/`` goes into the box."""

from __future__ import annotations

import re
from pathlib import Path

from test_keys_tmux import Pane, _tome, pane  # noqa: F401  (pane: the fixture)
from tuikit import PATCH


def test_search_filter_all_and_split_keys_in_a_real_terminal(
    repo: Path,
    tmp_path: Path,
    pane: Pane,  # noqa: F811
) -> None:
    patch = tmp_path / "change.diff"
    patch.write_text(PATCH)
    pane.start(repo, _tome("review", str(patch)), width=80, height=24)
    pane.shows("return x + 100")
    pane.keys("/", "y", "e", "s", "x", "e")  # a burst: every key lands in the box, none acts
    pane.shows("yesxe")
    pane.keys("Escape")
    pane.hides("yesxe")
    assert re.search(r"\b3 pending", pane.status()), pane.status()
    pane.keys("/")
    pane.keys("TWO", literal=True)
    pane.status_shows("Enter", r"file 2/2  hunk 1/1   3 pending   /TWO")
    pane.status_shows("n", r"file 2/2  hunk 1/1")  # the only match: comes round to it
    pane.status_shows("Escape", r"3 pending$")  # clears the search (the status says none)
    pane.keys("f")
    pane.keys("a.p", literal=True)
    pane.status_shows("Enter", r"file 1/2 .*filter 'a.p': 1 file")
    pane.status_shows("N", r"hunk 1/2")  # no search: N is the previous hunk
    pane.status_shows("Escape", r"3 pending$")  # clears the filter
    pane.status_shows("L", r"hunk 1/3   4 pending")  # a.py hunk 1: -1 +1 into two lines
    pane.status_shows("A", r"\b4 accepted")
    pane.status_shows("R", r"\b4 accepted")
    pane.status_shows("S", r"\b4 accepted")  # one change: nothing to split, says so
    pane.press("q", "not applied yet")
