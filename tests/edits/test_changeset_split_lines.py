"""Splitting a hunk (``git add -p``'s ``s``) and staging single lines of it (lazygit): the
pieces apply exactly, the rest of the hunk is not written, and ``tome undo`` restores."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.edits import Changeset, HunkState
from assistant.errors import ReviewError
from assistant.review import Review

# real code: the first 40 lines of this project's own tui/state.py, as committed
ORIGINAL = (Path(__file__).parents[1] / "fixtures" / "split" / "state.py.txt").read_text("utf-8")


def _edited(text: str) -> str:
    """Two changes 5 lines apart in one hunk: line 27 (``def counts``) replaced by two lines
    and line 33 (``def tolerated``) by one: 5 changed lines in all (3 added, 2 removed)."""
    lines = text.splitlines(keepends=True)
    lines[32:33] = ["def tolerated(file: FileReview) -> int:  # ~ marks\n"]  # the later first
    lines[26:27] = ["def counts(file: FileReview) -> tuple[int, int]:  # +/-\n", "    # new\n"]
    return "".join(lines)


def _git_diff(root: Path) -> str:
    out = subprocess.run(["git", "diff"], cwd=root, capture_output=True, text=True, check=True)
    return out.stdout


@pytest.fixture
def patched(make_repo) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    root = make_repo({"state.py": ORIGINAL})
    (root / "state.py").write_text(_edited(ORIGINAL), encoding="utf-8")
    patch = _git_diff(root)
    subprocess.run(["git", "checkout", "--", "state.py"], cwd=root, check=True)
    assert patch.count("\n@@ -") == 1  # git made one hunk of it
    return root, patch


def test_split_at_the_context_gap_gives_two_hunks_that_apply_alone(patched) -> None:
    _, patch = patched
    cs = Changeset.from_text({"state.py": ORIGINAL}, patch)
    f = cs["state.py"]
    assert len(f.hunks) == 1
    assert f.split(1) == 2
    assert [h.index for h in f.hunks] == [1, 2]
    assert f.plan.result() == _edited(ORIGINAL)  # every piece: the whole hunk
    f.accept(2)
    lines = ORIGINAL.splitlines(keepends=True)
    lines[32:33] = ["def tolerated(file: FileReview) -> int:  # ~ marks\n"]
    assert f.result() == "".join(lines)  # only the second change


def test_two_of_five_lines_accepted_write_exactly_those_and_undo_restores(patched) -> None:
    root, patch = patched
    review = Review.from_patch(root, patch)
    f = review.changeset["state.py"]
    assert f.split(1, lines=True) == 5
    assert [(h.added, h.removed) for h in f.hunks] == [(0, 1), (1, 0), (1, 0), (0, 1), (1, 0)]
    # in order: -def counts, +def counts  # +/-, +# new, -def tolerated, +def tolerated  # ~
    f.accept(2)  # the new 'def counts' line, without removing the old one
    f.accept(4)  # the removal of the old 'def tolerated' line, without adding the new one
    review.apply()
    lines = ORIGINAL.splitlines(keepends=True)
    new_counts = "def counts(file: FileReview) -> tuple[int, int]:  # +/-\n"
    expected = [*lines[:27], new_counts, *lines[27:32], *lines[33:]]
    assert (root / "state.py").read_bytes() == "".join(expected).encode()
    assert [h.state for h in f.hunks].count(HunkState.APPLIED) == 2
    assert main(["undo", "-C", str(root)]) == 0
    assert (root / "state.py").read_bytes() == ORIGINAL.encode()


def test_split_renumbers_the_later_hunks_and_refuses_an_applied_one(make_repo) -> None:
    text = "".join(f"line {i}\n" for i in range(1, 41))
    patch = (
        "--- a/t.txt\n+++ b/t.txt\n@@ -1,5 +1,5 @@\n line 1\n-line 2\n+LINE 2\n line 3\n"
        " line 4\n-line 5\n+LINE 5\n@@ -30,1 +30,1 @@\n-line 30\n+LINE 30\n"
    )
    root = make_repo({"t.txt": text})
    review = Review.from_patch(root, patch)
    f = review.changeset["t.txt"]
    f.reject(2)
    assert f.split(1) == 2
    assert [(h.index, h.state) for h in f.hunks][-1] == (3, HunkState.REJECTED)
    assert f.split(3) == 1  # one change: nothing to split
    f.accept(1)
    review.apply()
    with pytest.raises(ReviewError, match="applied"):
        f.split(1)
    assert (root / "t.txt").read_text() == text.replace("line 2\n", "LINE 2\n", 1)
