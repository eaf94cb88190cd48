"""Golden cases: before/ + response -> after/, one per format and per common mistake."""

from __future__ import annotations

import pytest

from assistant.edits import apply_edits

from .conftest import CASES, FIXTURES, read_tree


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case: str) -> None:
    root = FIXTURES / case
    before = read_tree(root / "before")
    response = (root / "response").read_text(encoding="utf-8")
    changes = apply_edits(before, response)
    result = {**before, **changes}
    result = {p: t for p, t in result.items() if t is not None}
    assert result == read_tree(root / "after")


def test_golden_cases_cover_every_format() -> None:
    assert {"udiff-wrong-numbers", "search-replace", "begin-patch", "whole-file"} <= set(CASES)
