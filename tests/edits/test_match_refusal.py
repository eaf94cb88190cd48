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
