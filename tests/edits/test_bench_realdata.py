"""The edit benchmark's own parts: its vendored real data loads, its oracle and its
classifier (both independent of the engine) give the known answers on known cases.

Timings and the engine's figures are ``python3 bench/edits.py``'s business; this only keeps
the measuring instrument honest and loadable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench._edit_data import answer_cases, commit_cases
from bench.edits import (
    EQS,
    GHunk,
    build_trial,
    classify,
    identifiable,
    lines_of,
    parse_git,
    run,
    two_readings,
)

ISSUE_CLASSES = {
    "1 end of file", "2 headers", "3 bare context line", "4 CRLF new file",
    "5 repeated context", "6 context indent drift", "7 dropped context line",
    "8 search/replace", "still refused",
}  # fmt: skip


@pytest.fixture(scope="module")
def commits():
    return commit_cases()


def test_vendored_commits_are_real_and_cover_the_rare_shapes(commits) -> None:
    assert len(commits) >= 200
    assert all(len(c.where.split("@")[1]) == 40 and c.license for c in commits)
    assert {"Python", "Go", "Rust", "Java", "C"} <= {c.lang for c in commits}
    assert {"JavaScript", "TypeScript"} & {c.lang for c in commits}
    tags = set().union(*(c.tags for c in commits))
    assert {"no-eol", "eol-change", "trailing-blank", "crlf", "repeated"} <= tags
    repos = {c.where.split("@")[0].split("/")[0] for c in commits}
    assert not repos & {"pallets", "encode", "psf"}


def test_git_diff_text_rebuilds_the_after_side(commits) -> None:
    """The hunks read back from git's text turn ``before`` into ``after`` exactly (CRLF and
    missing final newlines included), so the rendered formats carry the real change."""
    for case in commits:
        for f in case.files:
            old = f.before.split("\n")
            out: list[str] = []
            at = 0
            for h in parse_git(f.diff):
                out += old[at : h.pos]
                at = h.pos + sum(1 for o, _ in h.ops if o in " -")
                out += [t for o, t in h.ops if o in " +"]
            out += old[at:]
            text = "\n".join(out)
            if "\\" in {o for h in parse_git(f.diff) for o, _ in h.ops}:
                continue  # the marker's final-newline bytes are checked by the engine rows
            assert text == f.after, (case.id, f.path)


def test_oracle_uses_the_line_number_only_where_the_format_has_one(commits) -> None:
    """Among real hunks whose lines occur twice, the stated line places some that the lines
    and the hunk order alone do not."""
    placed_by_number = 0
    for case in (c for c in commits if "repeated" in c.tags):
        for f in case.files:
            hunks, file = parse_git(f.diff), lines_of(f.before)
            numbered = identifiable(file, hunks, EQS["exact"], numbered=True, gap=False)
            bare = identifiable(file, hunks, EQS["exact"], numbered=False, gap=False)
            assert numbered or not bare  # a number never loses a place the lines had
            placed_by_number += numbered and not bare
    assert placed_by_number >= 5


def test_classify_tells_exact_partial_and_wrong_apart() -> None:
    files = {"a.py": "one\ntwo\nthree\n", "b.py": "x\n"}
    want = {"a.py": "one\n2\nthree\nfour\n", "b.py": "y\n"}
    assert classify(files, want, {"a.py": "one\n2\nthree\nfour\n", "b.py": "y\n"}) == "exact"
    assert classify(files, want, {"a.py": "one\n2\nthree\nfour\n"}) == "partial"  # b.py missing
    assert classify(files, want, {"a.py": "one\n2\nthree\n", "b.py": "y\n"}) == "partial"
    assert classify(files, want, {"a.py": "one\n2\nthree\nfour", "b.py": "y\n"}) == "wrong"
    assert classify(files, want, {"a_new.py": "one\n2\nthree\nfour\n", "a.py": None}) == "wrong"
    assert classify(files, None, {"a.py": "one\n"}) == "wrong"  # it had to be refused


def test_answers_cover_every_class_and_load_with_their_base_files() -> None:
    answers = answer_cases()
    assert len(answers) >= 30
    assert {c for a in answers for c in a.classes} >= ISSUE_CLASSES
    for a in answers:
        assert a.before and a.answer and a.license
        assert (a.intended is None) == bool(a.reason)


def test_a_known_answer_is_classified_by_its_bytes() -> None:
    """An exact SEARCH/REPLACE block on a real file is exact; one found twice with nothing
    to pick either is refused (the issue keeps that refusal)."""
    by_id = {a.id: a for a in answer_cases()}
    exact = by_id["sr-exact-with-prose"]
    assert run(exact.before, exact.answer, exact.intended)[0] == "exact"
    twice = by_id["repeated-no-hint"]
    assert run(twice.before, twice.answer, twice.intended)[0] == "refused"


def test_rendered_trial_of_a_real_commit_is_identifiable_and_exact(commits) -> None:
    case = next(c for c in commits if not c.tags and len(c.files) == 1)
    trial = build_trial(case, "search-replace", "none")
    assert trial is not None and trial.identifiable
    assert "<<<<<<< SEARCH" in trial.answer
    assert run(trial.files, trial.answer, trial.intended)[0] == "exact"


def test_oracle_a_drifted_insertion_that_reads_two_ways_is_not_identifiable() -> None:
    # ripgrep c767bccade's appveyor.yml hunk with its context 2 spaces deeper: the added
    # list item is at 4 as written, at 2 if it moved with the context, and the file uses
    # both: the answer names its place, not its bytes (the same hunk with the context right
    # is identifiable)
    text = Path(__file__).resolve().parents[1] / "fixtures" / "drift" / "ripgrep_appveyor.yml"
    file = lines_of(text.read_text(encoding="utf-8"))
    right = (("", ""), ("", "branches:"), ("", "  only:"), ("+", "    - /x/"), ("", "    - master"))
    ops = tuple((" " if o == "" else o, t) for o, t in right)
    at = file.index("branches:") - 1
    drifted = tuple((o, "  " + t if o == " " and t else t) for o, t in ops)
    assert two_readings(file, GHunk(at + 1, at + 1, drifted, at))
    assert not two_readings(file, GHunk(at + 1, at + 1, ops, at))
