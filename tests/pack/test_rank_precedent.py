"""Past commits like the request (:mod:`assistant.packing.precedent`): the files they
changed and the kinds of file they changed; and which files are release notes."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from gitkit import commit, new_repo

from assistant.cache import Cache
from assistant.packing.history import History
from assistant.packing.precedent import kind_of, kinds, precedent, similar_commits
from assistant.packing.rank import LEXICAL_ONLY, is_notes, rank
from assistant.workspace import discover


def test_kinds_of_files() -> None:
    assert kind_of(".github/workflows/ci.yml") == "ci"
    assert kind_of(".travis.yml") == kind_of("ci/.circleci/config.yml") == "ci"
    assert kind_of("pyproject.toml") == kind_of("sub/Cargo.toml") == "build"
    assert kind_of("requirements/dev.txt") == kind_of("requirements-dev.txt") == "build"
    assert kind_of(".gitignore") == kind_of(".github/CONTRIBUTING.md") == "dot"
    assert kind_of("src/pkg/core.py") == "source"
    assert kind_of("tests/test_core.py") == "tests"
    assert kind_of("docs/usage.rst") == "docs"
    assert kind_of("data/table.csv") == "rest"


def _history() -> History:
    return History(
        [("ci.yml", "tox.ini"), ("core.py", "test_core.py"), ("core.py",), ("ci.yml",)],
        subjects=["Test on Python 3.12", "Fix the parser", "Speed up the parser", "CI: pin"],
    )


def test_similar_commits_are_the_ones_worded_like_the_task() -> None:
    found = similar_commits(_history(), ["test", "python", "3.13"])
    assert found[0] == (0, 1.0) and all(0 < sim <= 1 for _, sim in found)
    assert [i for i, _ in similar_commits(_history(), ["parser"])] == [1, 2]
    assert similar_commits(_history(), []) == []
    assert similar_commits(History([("a",)], subjects=[""]), ["x"]) == []  # no subject


def test_precedent_credits_the_files_of_small_similar_commits() -> None:
    by_path = {"ci.yml": 0, "tox.ini": 1, "core.py": 2, "test_core.py": 3}
    got = precedent(_history(), similar_commits(_history(), ["parser"]), by_path)
    assert max(got.values()) == got[2] == 1.0  # core.py: in both parser commits
    assert 0 < got[3] < 1 and 0 not in got and 1 not in got


def test_kinds_lift_the_files_of_the_kind_similar_commits_changed() -> None:
    paths = ["ci.yml", "tox.ini", "core.py", "test_core.py", "never.py"]
    history = History(
        [(".github/workflows/ci.yml", "tox.ini"), ("core.py",), ("core.py", "test_core.py")],
        subjects=["Test on Python 3.12", "Fix the parser", "Parser: a test"],
    )
    paths = [".github/workflows/ci.yml", "tox.ini", "core.py", "test_core.py", "never.py"]
    got = kinds(history, similar_commits(history, ["python", "3.13"]), paths)
    assert set(got) == {0, 1}  # only ci and build files: what the similar commit changed
    assert kinds(history, [], paths) == {}
    parser = kinds(history, similar_commits(history, ["parser"]), paths)
    assert parser[2] > 0 and 4 not in parser  # a file that never changed gets nothing


def test_a_ci_request_finds_the_workflow_that_no_word_matches(tmp_path: Path) -> None:
    """The workflow shares no word with the request; past commits worded like it changed
    it (and the build file), so precedent and kinds lift both above the code."""
    root = new_repo(tmp_path)
    code = {"core.py": "def run_python_tests(version):\n    return version\n",
            "docs/usage.md": "Run the tests with any python version.\n",
            ".github/workflows/ci.yml": "jobs:\n  build:\n    runs-on: ubuntu-latest\n",
            "tox.ini": "[tox]\nenvlist = py\n"}  # fmt: skip
    commit(root, code, "start")
    for minor in (9, 10, 11):
        commit(root, {".github/workflows/ci.yml": code[".github/workflows/ci.yml"] + f"# {minor}\n",
                      "tox.ini": code["tox.ini"] + f"# {minor}\n"}, f"Test on Python 3.{minor}")  # fmt: skip
    commit(root, {"core.py": code["core.py"] + "# x\n"}, "Refactor the runner")
    files = discover(root).files
    task = "Test on Python 3.12"
    cache = Cache.disabled()
    both = replace(LEXICAL_ONLY, precedent=2.0, kinds=2.0)
    lifted = [p for p, _ in rank(files, task, root=root, cache=cache, weights=both)]
    plain = [p for p, _ in rank(files, task, root=root, cache=cache, weights=LEXICAL_ONLY)]
    assert set(lifted[:2]) == {".github/workflows/ci.yml", "tox.ini"}
    assert plain.index(".github/workflows/ci.yml") >= 2
    for alone in ("precedent", "kinds"):
        one = replace(LEXICAL_ONLY, **{alone: 2.0})
        ranked = [p for p, _ in rank(files, task, root=root, cache=cache, weights=one)]
        assert ranked.index(".github/workflows/ci.yml") < plain.index(".github/workflows/ci.yml")


def test_hostile_history_credits_only_files_of_the_tree_and_stays_bounded() -> None:
    """Names from the history are untrusted: a name outside the tree (``../x``, a symlink
    discover left out, a name with a newline) credits nothing, and a long history of big
    commits is answered quickly."""
    odd = ["../../etc/passwd", "link-to-secret", "we\nird.py", "a" * 5000]
    history = History(
        [tuple(odd), *[tuple(f"gen/f{i}_{j}.py" for j in range(40)) for i in range(1000)]],
        subjects=["fix the passwd link " * 10, *[f"generated {i} fix" for i in range(1000)]],
    )
    paths = ["core.py", "we_ird.py"]
    by_path = {p: d for d, p in enumerate(paths)}
    started = time.process_time()
    similar = similar_commits(history, ["fix", "passwd", "link"])
    assert len(similar) == 20 and similar[0][0] == 0
    assert precedent(history, similar, by_path) == {}
    assert set(kinds(history, similar, paths)) <= set(by_path.values())
    assert time.process_time() - started < 5  # bounded, not a timing claim: 10x slack


def test_release_notes_are_documents_not_code_under_a_news_folder() -> None:
    for notes in ("CHANGELOG.md", "HISTORY", "docs/whatsnew.rst", "NEWS.txt", "CHANGES",
                  "changelog.d/123.bugfix.rst", "newsfragments/45.feature", "news/7.misc.md"):  # fmt: skip
        assert is_notes(notes), notes
    for code in ("news/models.py", "src/changes/__init__.py", "history.py", "app/news/x.go",
                 "changes/helpers.js", "changelog.d/gen.py", ".changes", "src/history/a.rs"):  # fmt: skip
        assert not is_notes(code), code
