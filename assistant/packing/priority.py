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
      | import[ \t]+(?:static[ \t]+)?([\w., \t]+);?[ \t]*$     # python, java: import a.b
      | (?:import|export)\b[^'"\n]*?from[ \t]*['"]([^'"]+)['"]  # js/ts: import x from "./y"
      | import[ \t]*\(?[ \t]*['"]([^'"]+)['"]                  # js side effect, go: import "a/b"
      | (?:pub[ \t]+)?(?:use|mod)[ \t]+([\w:]+)                # rust: use crate::a::b; mod c;
      | using[ \t]+([\w.]+)[ \t]*;                             # c#
      | \#[ \t]*include[ \t]*"([^"]+)"                         # c, c++
      | (?:require|require_relative|include|include_once|require_once)[ \t(]*['"]([^'"]+)['"]
      | (?:(?:const|let|var)[ \t]+)?[\w$]+[ \t]*=[ \t]*require\(['"]([^'"]+)['"]\)  # js: require
    )""",
    re.VERBOSE,
)
_NAME = re.compile(r"[A-Za-z_]\w*")
_HEAD_CHARS = 16384  # read line by line: where most imports sit
_SCAN_CHARS = 4 << 20  # imports anywhere in a file up to 4 MiB; a larger one is read that far
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
    """README, SOURCE, OTHER_CODE, TESTS, DOCS or REST (configuration, data, the rest).

    Plain string operations on the posix path (the answers of ``PurePosixPath``'s parts,
    name, stem and suffix): a ranking asks for every file of a tree."""
    from ..code.registry import language_for, name_stem, name_suffix, path_parts

    parts = path_parts(path)
    if not parts:
        return REST if language_for(path) is None else SOURCE
    name = parts[-1].lower()
    if len(parts) == 1 and name.startswith("readme"):
        return README
    if any(part.startswith(".") for part in parts):  # .github/, .devcontainer/, dotfiles
        return REST
    folders = {part.lower() for part in parts[:-1]}
    if language_for(path) is not None:
        stem = name_stem(name)
        if (
            any(_is_test_folder(folder) for folder in folders)
            or stem.startswith("test_")
            or stem.endswith(("_test", "_tests", ".test", ".spec", "_spec"))
            or stem in ("conftest", "tests")
        ):
            return TESTS
        return OTHER_CODE if folders & _OTHER_CODE_DIRS else SOURCE
    if name_suffix(name) in _DOC_SUFFIXES or folders & _DOC_DIRS:
        return DOCS
    return REST


def _is_test_folder(name: str) -> bool:
    return name in _TEST_DIRS or name.endswith(("_tests", "-tests", "_test", "_spec"))


def _dotted(path: str) -> list[str]:
    """The dotted names a module is imported by: every tail of its path (``src/attr/_make.py``
    is ``attr._make``, ``src.attr._make`` and ``_make``); a package's index file answers to
    its folder (``pkg/__init__.py``, ``pkg/index.js``, ``src/mod.rs``: ``pkg``)."""
    pure = PurePosixPath(path)
    parts = [*pure.parts[:-1], pure.stem]
    if pure.stem in _PACKAGE_FILES and len(parts) > 1:
        parts.pop()
    return [".".join(parts[i:]) for i in range(len(parts))]


_MAX_OWNERS = 3  # a name that more files answer to says nothing about which one is meant


def _names_of(match: re.Match[str], package: str) -> list[str]:
    """The dotted module names an import statement may mean."""
    source, names, plain, *paths = match.groups()
    if source is not None:  # from A import b, c: A, A.b, A.c (b may be a submodule)
        if source.startswith("."):
            up = len(source) - len(source.lstrip("."))
            base = package.split(".") if package else []
            base = base[: len(base) - (up - 1)] if up > 1 else base
            source = ".".join([*base, source.lstrip(".")]).strip(".")
        found = [source] if source else []
        for name in _NAME.findall(names or ""):
            found.append(f"{source}.{name}" if source else name)
        return found
    if plain is not None:
        return [item.split(" as ")[0].strip() for item in plain.split(",")]
    for path in paths:
        if path:  # ./a/b.js, crate::a::b, a/b.h, github.com/x/y: the last part names it
            tail = re.split(r"[/:]+", path.rstrip("/"))[-1]
            return [tail.rsplit(".", 1)[0] if "." in tail else tail]
    return []


# a line past the head that may be an import (its first word is one of :data:`_STARTS`):
# one C scan finds them, instead of a Python step per line
_DEEP = re.compile(
    r"^[ \t]*(?:from|import|export|use|mod|pub|using|\#|require|include|const|let|var)\b[^\n]*",
    re.M,
)

_STARTS: tuple[str, ...] = (
    *("from", "import", "export", "use", "mod", "pub", "using", "#", "require", "include"),
    *("const", "let", "var"),
)


def _imports(text: str) -> list[re.Match[str]]:
    """The import statements among the first :data:`_SCAN_CHARS` characters, wherever they
    sit (a lazy import deep in a module counts). The first :data:`_HEAD_CHARS`, where most
    imports are: lines picked by their first word (one C call each), then matched (a regex
    at every line start of every file cost twice as much); the rest, seldom holding one,
    by :data:`_DEEP` in one C scan (a Python step per line there cost 2x on Django)."""
    found = []
    head = len(text) if len(text) <= _HEAD_CHARS else text.rfind("\n", 0, _HEAD_CHARS) + 1
    for line in text[:head].split("\n"):
        if line.lstrip().startswith(_STARTS):
            match = _IMPORT.match(line)
            if match is not None:
                found.append(match)
    if head < len(text):  # ``^`` matches at ``head``: it follows a newline (or is 0)
        for line in _DEEP.findall(text, head, _SCAN_CHARS):
            match = _IMPORT.match(line)
            if match is not None:
                found.append(match)
    return found


def imported_by(files: Sequence[SourceFile], code: Sequence[int]) -> dict[str, int]:
    """For each file of ``files`` (by index in ``code``), how many other code files have an
    import statement naming it. Imports are read from each file's first
    :data:`_SCAN_CHARS` characters, wherever they sit."""
    owners: dict[str, list[str]] = {}
    for i in code:
        path = files[i].path
        tails = _dotted(path)
        if path.endswith(".py") and len(tails) > 2:  # ``import x`` is a top-level x only
            tails = [t for t in tails if "." in t] or tails
        for name in tails:
            owners.setdefault(name, []).append(path)
    counts: dict[str, int] = {}
    for i in code:
        source = files[i]
        dotted = _dotted(source.path)
        package = dotted[0].rpartition(".")[0] if dotted else ""
        if PurePosixPath(source.path).stem == "__init__":
            package = dotted[0] if dotted else ""
        credited: set[str] = set()
        for match in _imports(source.text):
            for name in _names_of(match, package):
                found = owners.get(name, ())
                if 0 < len(found) <= _MAX_OWNERS:
                    credited.update(found)
        credited.discard(source.path)
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
