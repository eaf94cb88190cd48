"""Context lines indented a space or two off while the -/+ lines are right (what `patch -l`
accepts): matched, the file's own context kept, the +/- lines not re-indented. Real code
(json/encoder.py), diffed by difflib as models are shown diffs."""

from __future__ import annotations

import difflib
import json.encoder
from pathlib import Path

import pytest

from assistant.edits import HunkMatchError, apply_edits, parse_edits, plan_edits

TEXT = Path(json.encoder.__file__).read_text(encoding="utf-8")
LINES = TEXT.split("\n")
PATH = "json/encoder.py"
AT = next(i for i, x in enumerate(LINES) if x.strip() == "if self.check_circular:")


def diff(new: list[str], drift: dict[int, int]) -> str:
    """A unified diff whose context lines are shifted by ``drift[k]`` spaces (k: the k-th
    context line of the diff; negative removes)."""
    out = []
    k = 0
    for line in difflib.unified_diff(LINES, new, f"a/{PATH}", f"b/{PATH}", lineterm="", n=3):
        if line.startswith(" "):
            d = drift.get(k, 0)
            body = line[1:]
            body = " " * d + body if d >= 0 else body[-d:]
            line = " " + body
            k += 1
        out.append(line)
    return "\n".join(out) + "\n"


def test_context_drift_with_right_removed_and_added_lines() -> None:
    new = list(LINES)
    new[AT + 1] = new[AT + 1] + "  # edited"
    text = diff(new, {0: 1, 1: 2, 2: -1, 3: 1, 4: 2})
    assert apply_edits({PATH: TEXT}, text) == {PATH: "\n".join(new)}
    plan = plan_edits({PATH: TEXT}, parse_edits(text))[0]
    assert plan.hunks[0].located.tolerances == (  # type: ignore[union-attr]
        "context indentation differs from the file",
    )


def test_an_insertion_whose_context_drifted_off_the_grid_keeps_its_lines() -> None:
    new = list(LINES)
    indent = LINES[AT][: len(LINES[AT]) - len(LINES[AT].lstrip())]
    new.insert(AT, indent + "_trace()")
    text = diff(new, dict.fromkeys(range(6), 2))  # every context line 2 spaces too deep
    assert apply_edits({PATH: TEXT}, text) == {PATH: "\n".join(new)}


def test_removed_lines_off_by_another_amount_than_the_context_are_refused() -> None:
    files = {"a.py": "if x:\n    y = 1\n    z = 2\n"}
    text = (
        "--- a/a.py\n+++ b/a.py\n@@ -1,3 +1,3 @@\n if x:\n-      y = 1\n+      y = 3\n      z = 2\n"
    )
    with pytest.raises(HunkMatchError):
        apply_edits(files, text)
