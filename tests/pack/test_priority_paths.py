"""category() and language_for() in plain string operations give the answers of the
pathlib versions they replaced, on every path of this repository, tricky paths and
generated ones."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.code.registry import EXTENSIONS, FILENAMES, language_for
from assistant.packing import priority
from assistant.packing.priority import DOCS, OTHER_CODE, README, REST, SOURCE, TESTS, category

REPO = Path(__file__).resolve().parents[2]


def pathlib_language_for(path: str) -> str | None:
    pure = PurePosixPath(path)
    by_name = FILENAMES.get(pure.name)
    if by_name is not None:
        return by_name
    return EXTENSIONS.get(pure.suffix.lower())


def pathlib_category(path: str) -> int:
    pure = PurePosixPath(path)
    folders = {part.lower() for part in pure.parts[:-1]}
    name = pure.name.lower()
    if len(pure.parts) == 1 and name.startswith("readme"):
        return README
    if any(part.startswith(".") for part in pure.parts):
        return REST
    if pathlib_language_for(path) is not None:
        stem = pure.stem.lower()
        if (
            any(priority._is_test_folder(folder) for folder in folders)
            or stem.startswith("test_")
            or stem.endswith(("_test", "_tests", ".test", ".spec", "_spec"))
            or stem in ("conftest", "tests")
        ):
            return TESTS
        return OTHER_CODE if folders & priority._OTHER_CODE_DIRS else SOURCE
    if pure.suffix.lower() in priority._DOC_SUFFIXES or folders & priority._DOC_DIRS:
        return DOCS
    return REST


TRICKY = [
    *("", "/", ".", "..", "./a.py", "a//b.py", "a/./b.py", "a/../b.py", "../a.py", "//a.py"),
    *("/abs/README", "README", "readme.md", "README/x.py", "a/", "a/.", "a.", ".py", "x/.py"),
    *("x/a.", "tests/", "T.PY", "docs/x.RST", "a/b\\c.py", "Makefile", "src/Dockerfile"),
    *("pkg/x.test.ts", "pkg/x_spec.rb", "spec/a.rb", "my_tests/a.py", "a/conftest.py"),
    *("examples/tests/a.py", "docs/conf.py", "doc/x.txt", ".github/w.yml", "a/.hidden/b.py"),
    *("a.tar.gz", "CHANGES.md", "src/app.min.js", "a/b/c/d/e/f.go", "naïve/ça.py"),
]


def test_tricky_paths() -> None:
    for path in TRICKY:
        assert category(path) == pathlib_category(path), path
        assert language_for(path) == pathlib_language_for(path), path


def test_every_path_of_this_repository() -> None:
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True
    ).stdout.decode()
    paths = [p for p in listed.split("\0") if p]
    assert len(paths) > 300
    kinds = set()
    for path in paths:
        assert category(path) == pathlib_category(path), path
        assert language_for(path) == pathlib_language_for(path), path
        kinds.add(category(path))
    assert kinds >= {README, SOURCE, TESTS, DOCS, REST}


parts = st.sampled_from(
    ["a", "tests", "docs", "README", ".git", ".", "..", "", "x.py", "test_x.py", "a.md", "b."]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(parts, max_size=5).map("/".join))
def test_generated_paths(path: str) -> None:
    assert category(path) == pathlib_category(path)
    assert language_for(path) == pathlib_language_for(path)
