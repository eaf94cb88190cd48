"""Line numbers that are all off by one shift, with the first headers clamped to line 1 or the
shift larger than ``FAR``: the other hunks, placed by their lines, say how far off they are.
Real files and the answers the benchmark rendered for their commits (tests/fixtures/lines/):
attrs's tests/test_pattern_matching.py (MIT), cobra's cobra_test.go (Apache-2.0), gson's
DefaultTypeAdapters.java (Apache-2.0), got's test/post.ts (MIT), and CPython's
asyncio/transports.py and traceback.py (PSF-2.0), with answers written for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.edits import HunkMatchError, apply_edits

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "lines"


def real(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_first_headers_clamped_to_line_one_do_not_refute_the_shift() -> None:
    # attrs@9f74550519 with every -N 40 too low: the first two hunks (lines 1 and 35) can
    # only say 1, the third says 13 for 53, and the last, whose lines occur twice, says 61
    # for 101. Before, hunk 1 found 0 lines from its stated line refuted the shift of 40
    # ("hunk 1 was found +0 lines from its own stated line ... refusing to guess").
    path = "tests/test_pattern_matching.py"
    got = apply_edits({path: real("attrs_test_pattern_matching.py")}, real("shifted_attrs.diff"))
    assert got[path] == real("shifted_attrs.after")


def test_a_clamped_outlier_among_agreeing_hunks() -> None:
    # cobra@a2845e7f7a, numbers 40 too low: hunk 1 (line 10) is clamped to 1 (+9), hunks
    # 2-4 are +40, and hunk 5's repeated lines are picked at 252 + 40. Before, the +9 of
    # the clamped header refuted it.
    path = "cobra_test.go"
    got = apply_edits({path: real("cobra_test.go")}, real("shifted_cobra.diff"))
    assert got[path] == real("shifted_cobra.after")


def test_a_shift_beyond_far_that_two_hunks_bear_out() -> None:
    # gson@4402240294, numbers 60 too high: hunks 2 and 3 are the same lines at two places;
    # hunks 1 and 4, unique, were both found 60 lines before their stated lines. Before, a
    # pick 60 lines off was "too far to trust" whatever the other hunks said.
    path = "gson/src/main/java/com/google/gson/DefaultTypeAdapters.java"
    got = apply_edits({path: real("DefaultTypeAdapters.java")}, real("shifted_gson.diff"))
    assert got[path] == real("shifted_gson.after")


def test_a_shift_beyond_far_that_one_hunk_and_the_headers_bear_out() -> None:
    # got@453a3a3104, numbers 60 too high, two hunks: the first, unique, moves the second's
    # hint by -60 onto one of its two places, and the headers agree as git writes them
    # (+334 is -331 moved by the 3 lines hunk 1 adds).
    path = "test/post.ts"
    got = apply_edits({path: real("got_post.ts")}, real("shifted_got.diff"))
    assert got[path] == real("shifted_got.after")


def test_a_shift_beyond_far_with_headers_out_of_step_stays_refused() -> None:
    # the same answer with +N written equal to -N, as a model that counts neither writes:
    # one hunk's shift alone does not carry a pick 60 lines from its stated line
    path = "test/post.ts"
    answer = real("shifted_got.diff").replace("@@ -331,3 +334,29 @@", "@@ -331,3 +331,29 @@")
    with pytest.raises(HunkMatchError) as info:
        apply_edits({path: real("got_post.ts")}, answer)
    assert "too far to trust" in info.value.failures[0].detail


def test_a_clamped_first_hunk_never_alone_bears_out_a_pick() -> None:
    # asyncio/transports.py with every -N 60 too low: hunk 1 (line 12) is clamped to 1, so
    # it moves hunk 2's hint by +11 only, which lands on abort()'s docstring of
    # WriteTransport (line 139) where DatagramTransport's (line 188) was meant. Before, the
    # clamped hunk's +11 "bore out" the pick, and the wrong class was edited.
    path = "asyncio/transports.py"
    with pytest.raises(HunkMatchError) as info:
        apply_edits({path: real("asyncio_transports.py")}, real("clamped_transports.diff"))
    failure = info.value.failures[0]
    assert failure.hunk == 2
    assert failure.candidates == (139, 188)
    assert "state line 1" in failure.detail


def test_a_number_that_reads_two_ways_with_one_hunk_to_tell_is_refused() -> None:
    # CPython's traceback.py: hunk 1 says 189 for line 168 (the model's copy of the file had
    # 21 more lines above it), hunk 2 says 787, right, for lines that are also at 766 (the
    # __cause__ and __context__ calls). Moved by hunk 1's -21, its hint hit 766 exactly and
    # hunk 1 "bore it out": the __cause__ call was edited. As written, the number is at the
    # other place; only another hunk could tell which reading is meant.
    path = "traceback.py"
    with pytest.raises(HunkMatchError) as info:
        apply_edits({path: real("traceback.py")}, real("split_traceback.diff"))
    failure = info.value.failures[0]
    assert failure.hunk == 2
    assert failure.candidates == (766, 787)
    assert "as written it is near line 787" in failure.detail
