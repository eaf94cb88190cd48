"""A context line left out where lines were added has two places in the result, even after
a removed line: python-attrs/attrs@3fee5ea5c6 (setup.py, MIT), vendored in bench/data/.

Its diff has ``-author_email=...``, ``+...``, ``+),``, `` packages=...``, ``+zip_safe=False``,
`` classifiers=[``; with ``packages=`` left out the answer reads as a replacement followed
by the left-out line, which put ``zip_safe=False`` before ``packages=``: silently wrong.
"""

from __future__ import annotations

import pytest

from assistant.edits import HunkMatchError, apply_edits
from bench._edit_data import commit_cases
from bench.edits import build_trial

CASE = "attrs@3fee5ea5c6"


@pytest.fixture(scope="module")
def trial():
    case = next(c for c in commit_cases() if c.id == CASE)
    t = build_trial(case, "udiff", "dropped line")
    assert t is not None and "+        zip_safe=False," in t.answer
    assert "         packages=find_packages" not in t.answer  # the line left out
    return t


def test_left_out_line_after_added_lines_is_refused(trial) -> None:
    with pytest.raises(HunkMatchError) as info:
        apply_edits(trial.files, trial.answer)
    failure = next(f for f in info.value.failures if f.path == "setup.py")
    assert "fits in more than one way" in failure.detail


def test_the_oracle_calls_it_unidentifiable(trial) -> None:
    assert trial.identifiable is False


def test_left_out_line_next_to_a_moved_line_in_search_replace_is_refused() -> None:
    """gson@457541611c (Apache-2.0): a blank line moves up three lines; with another line
    left out of both SEARCH and REPLACE, the engine's own diff of the pair is one of two
    equally good ones, and the left-out line's place differs between them. Before, it was
    placed by the diff the engine happened to make: silently wrong."""
    case = next(c for c in commit_cases() if c.id == "gson@457541611c")
    t = build_trial(case, "search-replace", "dropped line")
    assert t is not None
    with pytest.raises(HunkMatchError) as info:
        apply_edits(t.files, t.answer)
    assert "fits in more than one way" in str(info.value)


def test_exact_match_far_from_a_number_that_fits_with_a_line_left_out_is_refused() -> None:
    """got@cf56247f7a (MIT), test/https.js: ``@@ -36,3`` over `` t.is(body, 'ok');``,
    `` });``, ``-`` with the test's ``t.true(...)`` line left out. Those three lines are also
    the end of the test before, seven lines up, verbatim: placing them there (an exact match
    at a wrong number) removed the wrong blank line. Two readings: refused."""
    case = next(c for c in commit_cases() if c.id == "got@cf56247f7a")
    t = build_trial(case, "udiff", "dropped line")
    assert t is not None and "@@ -36,3 +36,2 @@" in t.answer
    with pytest.raises(HunkMatchError) as info:
        apply_edits(t.files, t.answer)
    failure = next(f for f in info.value.failures if f.path == "test/https.js")
    assert "also fit with one context line left out" in failure.detail
