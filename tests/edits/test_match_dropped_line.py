"""A context line the model left out in the middle of a hunk: placed when the file line
has one place in the result, refused when it truly has two. Real code (json/encoder.py)."""

from __future__ import annotations

import difflib
import json.encoder
from pathlib import Path

import pytest

from assistant.edits import HunkMatchError, apply_edits

TEXT = Path(json.encoder.__file__).read_text(encoding="utf-8")
LINES = TEXT.split("\n")
PATH = "json/encoder.py"
AT = next(i for i, x in enumerate(LINES) if x.strip() == "if self.check_circular:")


def without(new: list[str], left_out: str) -> str:
    lines = list(difflib.unified_diff(LINES, new, f"a/{PATH}", f"b/{PATH}", lineterm="", n=3))
    k = lines.index(" " + left_out)
    return "\n".join(lines[:k] + lines[k + 1 :]) + "\n"


def test_left_out_line_after_a_replaced_line_has_two_places() -> None:
    # '-X', '+X2', ' L', ' C' with L left out reads '-X', '+X2', ' C': L could follow X2 or
    # precede it ('-X', ' L', '+X2' is a diff too): refused, not read as a replacement
    new = list(LINES)
    new[AT] = new[AT] + "  # edited"
    text = without(new, LINES[AT + 1])  # the line right after the change
    with pytest.raises(HunkMatchError) as info:
        apply_edits({PATH: TEXT}, text)
    assert "fits in more than one way" in info.value.failures[0].detail


def test_left_out_line_before_a_removed_line_is_placed() -> None:
    new = list(LINES)
    new[AT + 1] = new[AT + 1] + "  # edited"
    text = without(new, LINES[AT])  # the line right before the change
    assert apply_edits({PATH: TEXT}, text) == {PATH: "\n".join(new)}


def test_left_out_line_where_lines_were_only_added_has_two_places() -> None:
    # ' a', ' b', '+N', ' c' with b left out reads ' a', '+N', ' c': the file's b could be
    # before N or after it, and the two results differ: refused, not guessed
    new = list(LINES)
    new.insert(AT + 1, "            _trace()")
    text = without(new, LINES[AT])
    with pytest.raises(HunkMatchError) as info:
        apply_edits({PATH: TEXT}, text)
    assert "fits in more than one way" in info.value.failures[0].detail
