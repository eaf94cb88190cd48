"""Which files a budget goes to when there is no task: what a model needs to understand a
project first.

Pure functions over values. Without a task nothing ranks files by relevance, and the path
order gave a budget to ``.devcontainer/``, ``.github/`` templates and docs before any
source module. :func:`priority` orders the files instead as a reader new to the project
would open them: the top-level README, then source (entry points first, then the modules
most imported by the others), then other code (examples, benchmarks, scripts), tests, docs,
and configuration and everything else last.

This order decides only which files are whole, skeletons or omitted
(:func:`assistant.packing.select.fit_budget` fills in it). The pack itself stays in path
order within each tier (:mod:`.render`), and the choice depends on the tree and the budget
alone, so packs of an unchanged tree keep the same prefix for the provider's cache.

"Most imported" is read from the import statements (Python, JavaScript and TypeScript,
Rust, Go, Java, C#, Ruby, PHP, C and C++ ``#include "..."``) with one regex: each name an
import mentions credits the files whose module name it is (``from .render import x`` and
``import render`` both credit ``render.py``; a package's ``__init__.py``, ``index.js``,
``mod.rs`` answer to their folder's name). A tree-sitter reference graph would be exact but
would parse every file of a cold pack; this costs one regex pass over the code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from ..workspace import SourceFile

__all__ = ["category", "priority"]

_IMPORT = re.compile(
    r"""^[ \t]*(?:
        from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w ,\t*]+)   # python: from a.b import c, d
      | import[ \t]+([\w., \t]+)$                             # python, java: import a.b
      | (?:import|export)\b[^'"\n]*?from[ \t]*['"]([^'"]+)['"]  # js/ts: import x from "./y"
      | import[ \t]*\(?[ \t]*['"]([^'"]+)['"]                  # js side effect, go: import "a/b"
      | (?:pub[ \t]+)?(?:use|mod)[ \t]+([\w:]+)                # rust: use crate::a::b; mod c;
      | using[ \t]+([\w.]+)[ \t]*;                             # c#
      | \#[ \t]*include[ \t]*"([^"]+)"                         # c, c++
      | (?:require|require_relative|include|include_once|require_once)[ \t(]*['"]([^'"]+)['"]
      | [\w$]+[ \t]*=[ \t]*require\(['"]([^'"]+)['"]\)         # js: const x = require("./y")
    )""",
    re.MULTILINE | re.VERBOSE,
)
_NAME = re.compile(r"[A-Za-z_][\w-]*")
_PACKAGE_FILES = frozenset({"__init__", "index", "mod", "lib", "main"})
_ENTRY_NAMES = frozenset({"__main__", "main", "cli", "app", "index", "lib", "server", "manage"})
_TEST_DIRS = frozenset({"test", "tests", "testing", "spec", "specs", "__tests__", "e2e"})
_OTHER_CODE_DIRS = frozenset(
    {"examples", "example", "bench", "benchmarks", "benchmark", "scripts", "tools", "docs", "doc"}
)
_DOC_SUFFIXES = frozenset({".md", ".rst", ".txt", ".adoc", ".markdown"})
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})

README, SOURCE, OTHER_CODE, TESTS, DOCS, REST = range(6)


def category(path: str) -> int:
    """README, SOURCE, OTHER_CODE, TESTS, DOCS or REST (configuration, data, the rest)."""
    from ..code.registry import language_for  # the one table of languages

    pure = PurePosixPath(path)
    folders = {part.lower() for part in pure.parts[:-1]}
    name = pure.name.lower()
    if len(pure.parts) == 1 and name.startswith("readme"):
        return README
    if any(part.startswith(".") for part in pure.parts):  # .github/, .devcontainer/, dotfiles
        return REST
    if language_for(path) is not None:
        stem = pure.stem.lower()
        if (
            any(_is_test_folder(folder) for folder in folders)
            or stem.startswith("test_")
            or stem.endswith(("_test", "_tests", ".test", ".spec", "_spec"))
            or stem in ("conftest", "tests")
        ):
            return TESTS
        return OTHER_CODE if folders & _OTHER_CODE_DIRS else SOURCE
    if pure.suffix.lower() in _DOC_SUFFIXES or folders & _DOC_DIRS:
        return DOCS
    return REST


def _is_test_folder(name: str) -> bool:
    return name in _TEST_DIRS or name.endswith(("_tests", "-tests", "_test", "_spec"))


def _module_names(path: str) -> tuple[str, ...]:
    """The names an import may use for the file: its stem, and for a package's index file
    the folder's name."""
    pure = PurePosixPath(path)
    stem = pure.stem
    if stem in _PACKAGE_FILES and len(pure.parts) > 1:
        return (stem, pure.parts[-2]) if stem == "main" else (pure.parts[-2],)
    return (stem,)


def imported_by(files: Sequence[SourceFile], code: Sequence[int]) -> dict[str, int]:
    """For each file of ``files`` (by index in ``code``), how many other code files have an
    import statement naming it."""
    owners: dict[str, list[str]] = {}
    for i in code:
        for name in _module_names(files[i].path):
            owners.setdefault(name, []).append(files[i].path)
    counts: dict[str, int] = {}
    for i in code:
        source = files[i]
        named: set[str] = set()
        for match in _IMPORT.finditer(source.text):
            for group in match.groups():
                if group:
                    named.update(_NAME.findall(group))
        credited = {p for name in named for p in owners.get(name, ()) if p != source.path}
        for path in credited:
            counts[path] = counts.get(path, 0) + 1
    return counts


def _is_entry(path: str) -> bool:
    pure = PurePosixPath(path)
    return pure.stem.lower() in _ENTRY_NAMES and len(pure.parts) <= 3


def priority(files: Sequence[SourceFile]) -> list[str]:
    """The paths of ``files`` in the order a budget without a task is given to them."""
    kinds = [category(f.path) for f in files]
    code = [i for i, kind in enumerate(kinds) if kind in (SOURCE, OTHER_CODE, TESTS)]
    imports = imported_by(files, code)

    def key(i: int) -> tuple[int, int, int, int, str]:
        path = files[i].path
        entry = kinds[i] == SOURCE and _is_entry(path)
        return (kinds[i], 0 if entry else 1, -imports.get(path, 0), path.count("/"), path)

    return [files[i].path for i in sorted(range(len(files)), key=key)]
