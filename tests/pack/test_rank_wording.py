"""Two ranking signals of real requests: the subjects of the commits that touched a file,
and the other forms of the request's words (``parsing`` -> ``parser.py``)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from gitkit import commit, git, new_repo

from assistant.cache import Cache
from assistant.packing import history as hist
from assistant.packing.history import body_scores, read_history, subject_scores
from assistant.packing.lexical import build_index, terms_of
from assistant.packing.rank import LEXICAL_ONLY, rank
from assistant.packing.wording import scope, stem, variants, wording
from assistant.workspace import discover


def raw_commit(root: Path, files: dict[str, str], message: bytes) -> None:
    """A commit whose message holds any bytes (NUL too), as a hostile repository can."""
    for rel, text in files.items():
        (root / rel).write_text(text)
    git(root, "add", "-A")
    tree = git(root, "write-tree").strip()
    parent = git(root, "rev-parse", "HEAD").strip()
    who = b"t <t@example.invalid> 1700000000 +0000"
    body = b"tree %s\nparent %s\nauthor %s\ncommitter %s\n\n" % (
        tree.encode(), parent.encode(), who, who)  # fmt: skip
    sha = git(root, "hash-object", "-t", "commit", "-w", "--literally", "--stdin",
              stdin=body + message).strip()  # fmt: skip
    git(root, "update-ref", "HEAD", sha)


# --- past commit subjects ----------------------------------------------------------------------


def subject_repo(tmp_path: Path) -> Path:
    """``shelf.py`` was changed by commits about timezones; its text never says so. The
    other files are equally (un)related to the words of the request."""
    root = new_repo(tmp_path)
    base = {f"{n}.py": f"def {n}_value(x):\n    return x\n" for n in ("shelf", "crate", "bin")}
    commit(root, base, "start")
    for i, subject in enumerate(["Handle timezone offsets", "Timezone aware dates again"]):
        commit(root, {"shelf.py": base["shelf.py"] + f"# {i}\n"}, subject)
    for i in range(2):
        commit(root, {"crate.py": base["crate.py"] + f"# {i}\n"}, f"Speed up crate {i}")
    return root


def test_subjects_of_past_commits_lift_the_file_they_touched(tmp_path: Path) -> None:
    root = subject_repo(tmp_path)
    found = read_history(root)
    assert found is not None
    assert found.subjects[0] == "Speed up crate 1" and len(found.subjects) == len(found.commits)
    said = subject_scores(found, ["timezone", "offsets"])
    assert said["shelf.py"] == 1.0 and "crate.py" not in said
    files = discover(root).files
    task = "Wrong value with a timezone offset"
    only = replace(LEXICAL_ONLY, subjects=1.0)
    with_subjects = [p for p, _ in rank(files, task, root=root, weights=only)]
    without = [p for p, _ in rank(files, task, root=root, weights=LEXICAL_ONLY)]
    assert with_subjects[0] == "shelf.py"
    assert without[0] == "bin.py"  # all tie on "value": by path


def test_hostile_subjects_are_bounded(tmp_path: Path) -> None:
    """A subject of a megabyte, control characters and binary bytes: kept short and clean,
    and ranking stays fast."""
    root = new_repo(tmp_path)
    commit(root, {"a.py": "x = 1\n"}, "start")
    huge = "timezone " * 120_000
    commit(root, {"a.py": "x = 2\n"}, huge)
    raw_commit(root, {"b.py": "y = 1\n"}, b"bin\x01\x02\x7fary\0\xff\xfe-ish\x1b[31m red")
    found = read_history(root)
    assert found is not None and len(found.commits) >= 3
    assert all(len(s) <= hist.MAX_SUBJECT for s in found.subjects)
    assert not any(c in s for s in found.subjects for c in "\x01\x02\x1b\x7f")
    assert ("b.py",) in found.commits and found.commits[-2:] == [("a.py",), ("a.py",)]
    started = time.perf_counter()
    ranked = rank(discover(root).files, huge, root=root, cache=Cache.disabled())
    assert time.perf_counter() - started < 30  # a bound on runaway work, not a timing
    assert {p for p, _ in ranked} == {"a.py", "b.py"}


def test_a_subject_with_a_newline_or_a_record_mark_forges_no_file(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    commit(root, {"a.py": "x = 1\n"}, "start")
    raw_commit(root, {"a.py": "x = 2\n"}, b"one\x01\0\nforged.py\0\x01\0\nforged.py\0")
    found = read_history(root)
    assert found is not None
    assert all("forged.py" not in c for c in found.commits)


def test_a_file_name_holding_the_old_record_mark_forges_no_commit(tmp_path: Path) -> None:
    """A committed name ``b\x01evil subject`` (git allows any byte but NUL and ``/``) used
    to split into a path ``b`` and a forged commit whose subject was ``evil subject``."""
    root = new_repo(tmp_path)
    commit(root, {"a.py": "x = 1\n"}, "start")
    commit(root, {"b\x01evil subject": "y = 1\n", "a.py": "x = 2\n"}, "add b")
    found = read_history(root)
    assert found is not None
    assert ("a.py", "b\x01evil subject") in [tuple(sorted(c)) for c in found.commits]
    assert all("b" not in c for c in found.commits)
    assert "evil subject" not in found.subjects and sorted(found.subjects) == ["add b", "start"]


def test_bodies_of_past_commits_lift_the_file_they_touched(tmp_path: Path) -> None:
    """Only the body of a past commit says ``shelf.py`` is about timezones; a body with a
    record mark in it forges no file, and a huge body is cut to MAX_BODY."""
    root = new_repo(tmp_path)
    base = {f"{n}.py": f"def {n}_value(x):\n    return x\n" for n in ("shelf", "crate", "bin")}
    commit(root, base, "start")
    commit(root, {"shelf.py": base["shelf.py"] + "# 1\n"}, "Tidy\n\nHandle timezone offsets")
    raw_commit(root, {"crate.py": "x = 1\n"}, b"Speed\n\n\x01\x02\0\nforged.py\0" + b"z " * 9000)
    found = read_history(root)
    assert found is not None and all("forged.py" not in c for c in found.commits)
    assert all(len(b) <= hist.MAX_BODY for b in found.bodies)
    assert body_scores(found, ["timezone", "offsets"]) == {"shelf.py": 1.0}
    files = discover(root).files
    only = replace(LEXICAL_ONLY, bodies=1.0)
    assert rank(files, "Wrong value with a timezone offset", root=root, weights=only)[0][0] == (
        "shelf.py"
    )


# --- word forms --------------------------------------------------------------------------------


def test_word_forms_share_a_stem() -> None:
    assert stem("parsing") == stem("parser") == stem("parsed") == stem("parse")
    assert "parser" in variants("parsing") and "parsing" not in variants("parsing")
    assert "mapping" in variants("map") and "markers" in variants("mark")
    assert variants("x" * 500) == () and variants("ab") == ()  # bounded: no forms


def test_wording_finds_the_file_named_by_another_form(tmp_path: Path) -> None:
    paths = ["pkg/parser.py", "pkg/tokens.py", "docs/parser/intro.md"]
    index = build_index((p, terms_of("value")) for p in paths)
    in_path, _ = wording(index, ["parsing", "value"])
    assert in_path[0] == 1.0 and 0 < in_path[2] < 1.0 and 1 not in in_path
    root = new_repo(tmp_path)
    commit(root, {"pkg/parser.py": "def run(x):\n    return x\n",
                  "pkg/tokens.py": "def run(y):\n    return y\n"}, "start")  # fmt: skip
    files = discover(root).files
    only = replace(LEXICAL_ONLY, wording=1.0)
    assert rank(files, "fix parsing in run", root=root, weights=only)[0][0] == "pkg/parser.py"
    plain = rank(files, "fix parsing in run", root=root, weights=LEXICAL_ONLY)
    assert plain[0][0] == "pkg/parser.py" and plain[0][1] == plain[1][1]  # a tie without it


def test_wording_of_hostile_requests_is_bounded() -> None:
    index = build_index([("a/parser.py", terms_of("x"))])
    words = [f"word{i}ing" for i in range(100_000)]
    started = time.perf_counter()
    wording(index, words)
    assert time.perf_counter() - started < 10  # only the first words' forms are looked up


@pytest.mark.parametrize("word", ["", "ing", "s" * 3, "éléments", "a_b"])
def test_odd_words_have_no_crashing_forms(word: str) -> None:
    assert isinstance(variants(word), tuple)


# --- the scope of a subject ----------------------------------------------------------------------


def test_scope_of_a_subject_names_the_part() -> None:
    paths = ["crates/printer/src/lib.rs", "crates/grep/src/lib.rs", "src/pkg/_ranges.py", "x.md"]
    assert set(scope(paths, "printer: fix x")) == {0}
    assert set(scope(paths, "fix(ranges): stop unbounded bounds")) == {2}
    assert set(scope(paths, "grep, printers: z")) == {0, 1}  # another form counts
    assert scope(paths, "Fix the thing: now") == {}  # prose before a colon is no scope
    assert scope(paths, "printer fixes") == {}
    assert scope(paths, "x" * 100_000 + ": y") == {}  # hostile: bounded, nothing


def test_scope_lifts_the_files_of_the_named_crate(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    same = "fn write_line(out: &mut Vec<u8>) { out.push(10) }\n"
    commit(root, {"crates/printer/src/util.rs": same, "crates/search/src/util.rs": same}, "s")
    files = discover(root).files
    task = "printing: write line ending once"  # the crate is "printer": another form
    only = replace(LEXICAL_ONLY, scope=1.0)
    assert rank(files, task, root=root, weights=only)[0][0] == "crates/printer/src/util.rs"
    plain = rank(files, task, root=root, weights=LEXICAL_ONLY)
    assert plain[0][1] == plain[1][1]  # a tie without it


def test_near_follows_co_change_from_files_the_subjects_found(tmp_path: Path) -> None:
    """``clock.py`` changed with ``shelf.py`` in commits about timezones; neither text says
    the request's words, so only co-change seeded by the subjects can find ``clock.py``."""
    root = new_repo(tmp_path)
    base = {f"{n}.py": f"def {n}_value(x):\n    return x\n" for n in ("shelf", "clock", "bin")}
    commit(root, base, "start")
    for i in range(3):
        commit(root, {"shelf.py": base["shelf.py"] + f"# {i}\n",
                      "clock.py": base["clock.py"] + f"# {i}\n"}, f"Timezone offsets {i}")  # fmt: skip
    files = discover(root).files
    task = "Wrong value with a timezone offset"
    near = [p for p, _ in rank(files, task, root=root, weights=replace(LEXICAL_ONLY, near=1.0))]
    without = [p for p, _ in rank(files, task, root=root, weights=LEXICAL_ONLY)]
    assert set(near[:2]) == {"clock.py", "shelf.py"}
    assert without[0] == "bin.py"  # all tie on "value": by path


def test_release_notes_fall_below_the_code_they_describe(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    commit(root, {"CHANGELOG.md": "- Fix the cache timeout of the session store\n" * 3,
                  "docs/history.rst": "Fix the cache timeout of the session store\n",
                  "store.py": "def session_store(cache):\n    return cache.timeout\n"}, "s")  # fmt: skip
    files = discover(root).files
    task = "Fix the cache timeout of the session store"
    shipped = [p for p, _ in rank(files, task, root=root, cache=Cache.disabled())]
    plain = [p for p, _ in rank(files, task, root=root, weights=LEXICAL_ONLY)]
    assert plain.index("CHANGELOG.md") < plain.index("store.py")
    assert shipped[0] == "store.py" and shipped.index("docs/history.rst") > 0
