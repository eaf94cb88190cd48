"""A refusal that cannot be helped (the same lines twice, nothing in the answer picks one)
names every place and what tells them apart, for a person and compactly for the model."""

from __future__ import annotations

import json.encoder
from pathlib import Path

import pytest

from assistant.edits import HunkMatchError, apply_edits

TEXT = Path(json.encoder.__file__).read_text(encoding="utf-8")
LINES = TEXT.split("\n")
BLOCK = "                    chunks = _iterencode(value, _current_indent_level)"
FIRST, SECOND = [i for i, x in enumerate(LINES) if x == BLOCK][:2]


def test_twice_with_nothing_to_pick_names_both_places_and_their_blocks() -> None:
    answer = f"json/encoder.py\n```\n<<<<<<< SEARCH\n{BLOCK}\n=======\n{BLOCK}  # x\n>>>>>>> REPLACE\n```\n"
    with pytest.raises(HunkMatchError) as info:
        apply_edits({"json/encoder.py": TEXT}, answer)
    failure = info.value.failures[0]
    assert failure.candidates == (FIRST + 1, SECOND + 1)
    loop_a = LINES.index("        for value in lst:") + 1
    loop_b = LINES.index("        for key, value in items:") + 1
    assert failure.places == (f"`for value in lst:` (line {loop_a})",
                              f"`for key, value in items:` (line {loop_b})")  # fmt: skip
    assert f"  line {FIRST + 1}: `for value in lst:` (line {loop_a})" in failure.describe()
    assert (f"The same lines are at: line {FIRST + 1}, in `for value in lst:` (line {loop_a}); "
            f"line {SECOND + 1}, in `for key, value in items:` (line {loop_b}).")  in (
        info.value.for_model()
    )  # fmt: skip


def test_an_overlap_names_the_other_place_its_lines_match() -> None:
    # hunk 2's number points into hunk 1's lines (edits meant one after the other); the
    # same two lines are also at line 1, and the refusal says so
    files = {"a.py": "x\ny\nq\nr\na\nx\ny\nz\n"}
    diff = "--- a/a.py\n+++ b/a.py\n@@ -5,2 +5,2 @@\n-a\n-x\n+A\n+X\n@@ -6,2 +6,2 @@\n x\n-y\n+Y\n"
    with pytest.raises(HunkMatchError) as info:
        apply_edits(files, diff)
    failure = info.value.failures[0]
    assert (failure.hunk, failure.kind, failure.candidates) == (2, "overlap", (1, 6))
    assert failure.detail == "overlaps hunk 1 (lines 6-7); its lines also match at line 1"
