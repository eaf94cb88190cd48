"""Context indentation drift where the test that tells two readings apart said no to both, or
read a drifted comment closer as another brace. Real files and the answers the benchmark
rendered for their commits (tests/fixtures/lines/): more-itertools's more.py and
tests/test_more.py (MIT) and gson's CallPathTest.java (Apache-2.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.edits import HunkMatchError, apply_edits

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "lines"


def real(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_function_added_after_drifted_context_keeps_its_column() -> None:
    # more-itertools@1adde8f0ee: ``consecutive_groups`` added at the end of more.py after two
    # context lines drifted one space left. Moving the added lines with the context would
    # put ``def`` left of column 0, so they stand as written; but the one reading left was
    # refused as implausible, since the enclosing ``def`` is more than 50 lines above
    # ("the hunk's place is line 1530 ... refusing to guess").
    path = "more_itertools/more.py"
    got = apply_edits({path: real("more_itertools_more.py")}, real("ctx_drift_more.diff"))
    assert got[path] == real("ctx_drift_more.after")


def test_class_added_at_a_repeated_place_with_drifted_context() -> None:
    # more-itertools@43bc78752b: ``class DivideTest`` appended after three lines that occur
    # twice (lines 697 and 743), context 2 spaces right. Each place had no reading, so its
    # line number could not choose ("occur 2 times ... not clearly nearer one of them").
    path = "more_itertools/tests/test_more.py"
    got = apply_edits({path: real("more_itertools_test_more.py")}, real("ctx_drift_test_more.diff"))
    assert got[path] == real("ctx_drift_test_more.after")


def test_block_shifted_off_the_grid_takes_the_reading_the_file_can_hold() -> None:
    # the same commit as a patch whose every line is 2 spaces right (a 4-space file): read
    # as drift, ``def`` stays at 2, where no line of the file is; moved with the block, it
    # is at 0. Neither passed the neighbour test, and the hunk was refused.
    path = "more_itertools/more.py"
    got = apply_edits({path: real("more_itertools_more.py")}, real("indent_drift_more.patch"))
    assert got[path] == real("ctx_drift_more.after")


def test_comment_closer_one_space_off_is_drift_not_another_line() -> None:
    # gson@f1e278c4c0: the hunk's first context line is ``*/`` where the file has `` */``
    # (the licence comment's end), the rest exact. The file has no ``*/`` of its own, so the
    # closer could be no other line; it was read as a brace that might be another brace,
    # given no reading, and the hunk was "not in the file".
    path = "wsdef/src/test/java/com/google/gson/webservice/definition/CallPathTest.java"
    got = apply_edits({path: real("CallPathTest.java")}, real("ctx_drift_callpathtest.diff"))
    assert got[path] == real("ctx_drift_callpathtest.after")


def test_class_brace_where_the_method_brace_was_left_out_stays_refused() -> None:
    # gson@1c09b3f928 with the method's ``  }`` left out of the hunk: the class's ``}`` then
    # lines up with the method's, indentation ignored. The file has a ``}`` as written (the
    # class's own, a line below), so the brace may be that one: still no reading (taken, it
    # put the new test inside the method above it).
    path = "extras/src/test/java/com/google/gson/typeadapters/UtcDateTypeAdapterTest.java"
    with pytest.raises(HunkMatchError) as info:
        apply_edits({path: real("UtcDateTypeAdapterTest.java")}, real("dropped_brace_utcdate.diff"))
    assert [f.hunk for f in info.value.failures] == [2]
