"""The benchmark's oracle on answers with a context line left out (bench/edits.py): what it
calls identifiable must have one reading, whichever line the mistake happened to take, and
what it injects into SEARCH/REPLACE must still say the commit. Real commits vendored in
bench/data/ (python-attrs/attrs, MIT; sindresorhus/got, MIT)."""

from __future__ import annotations

from bench._edit_data import commit_cases
from bench.edits import _put_back, build_trial, old_lines, parse_git, run


def _trial(case: str, fmt: str):
    c = next(c for c in commit_cases() if c.id == case)
    t = build_trial(c, fmt, "dropped line")
    assert t is not None
    return c, t


def test_a_blank_line_left_out_of_a_run_reads_at_each_place_of_the_run() -> None:
    # attrs@34c55613d2, docs/init.rst: the first of two blank lines left out, before 40
    # added lines; the answer reads the same with the second left out, which sits where
    # the lines are added and could go before or after them
    _c, t = _trial("attrs@34c55613d2", "udiff")
    assert "\n \n+Derived Attributes\n" in t.answer
    assert t.identifiable is False
    assert run(t.files, t.answer, t.intended)[0] == "refused"


def test_lines_that_fit_as_written_elsewhere_do_not_identify_a_gap() -> None:
    # got@cf56247f7a, test/https.js: `t.is(body, 'ok');` and `});` fit as written at line
    # 28, and at the stated line 36 with `t.true(...)` left out: two readings
    _c, t = _trial("got@cf56247f7a", "udiff")
    assert "t.true(requestUrl" not in t.answer
    assert t.identifiable is False
    assert run(t.files, t.answer, t.intended)[0] == "refused"


def test_search_replace_does_not_leave_out_a_line_its_pair_puts_elsewhere() -> None:
    # attrs@8cae2a99da, docs/types.rst: the commit moves "In practice, ..." below a blank
    # line while adding five lines above it; with that blank line left out of both sides,
    # the pair reads "add five lines before In practice", whose one result keeps the blank
    # line after it: not the commit (it was scored partial)
    c, t = _trial("attrs@8cae2a99da", "search-replace")
    (h,) = [h for h in parse_git(c.files[0].diff) if old_lines(h.ops) != []]
    moved_over = old_lines(h.ops).index("", 3)  # the blank line after "In practice"
    assert _put_back(h, moved_over) is False
    outcome, _took, _detail = run(t.files, t.answer, t.intended)
    assert outcome in ("exact", "refused")
