"""Two ranking signals read from names alone: test <-> source pairs, and files a task names.

Pure functions over paths and the task's text (both untrusted: a path is a repository name,
the task may quote anything; nothing here reads a file or runs a pattern built from them).

* :func:`pairs`: a change to ``x.py`` usually touches ``test_x.py`` and the other way round;
  ``x.test.ts``/``x.spec.js`` pair with ``x.ts``/``x.js``, ``x_test.go`` with ``x.go``,
  ``XTest.java`` with ``X.java``, ``tests/x.rs`` with ``src/x.rs``; a package's index file
  (``router/index.js``, ``printer/mod.rs``, ``pkg/__init__.py``) pairs as its folder does
  (``test/router.js``).
* :func:`mentions`: a task that names ``src/attr/_make.py``, ``attr._make``, ``_make.py``
  or a class ``JsonReader`` (and there is a ``JsonReader.java``) points at that file; so do
  a JVM class by package (``com.google.gson.Gson``), a Rust path (``printer::json``: its
  ``printer/json.rs`` or ``printer/json/mod.rs``) and a dotted name that is a file's stem
  (``res.clearCookie``: ``test/res.clearCookie.js``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath

__all__ = ["mentions", "pair_key", "pairs"]

_FAMILY = {
    ".py": "py", ".pyi": "py", ".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "js",
    ".ts": "js", ".tsx": "js", ".go": "go", ".rs": "rs", ".java": "jvm", ".kt": "jvm",
    ".c": "c", ".h": "c", ".cc": "c", ".cpp": "c", ".hpp": "c", ".rb": "rb", ".cs": "cs",
    ".php": "php", ".swift": "swift",
}  # fmt: skip
_TEST_DIRS = frozenset({"test", "tests", "testing", "spec", "specs", "__tests__", "t"})
_MAX_PARTNERS = 4
_MAX_MATCHES = 5


def pair_key(path: str) -> tuple[tuple[str, str], bool] | None:
    """``((stem, language family), is_test)`` of a code file, None for any other file."""
    pure = PurePosixPath(path)
    family = _FAMILY.get(pure.suffix.lower())
    if family is None:
        return None
    stem = pure.stem
    low = stem.lower()
    is_test = any(part.lower() in _TEST_DIRS for part in pure.parts[:-1])
    for suffix in (".test", ".spec", "_test", "_tests", "_spec", "-test", "-spec"):
        if low.endswith(suffix) and len(low) > len(suffix):
            low, is_test = low[: -len(suffix)], True
            break
    else:
        if low.startswith(("test_", "test-")) and len(low) > 5:
            low, is_test = low[5:], True
        elif family == "jvm" and stem.endswith(("Test", "Tests")) and stem[0].isupper():
            low, is_test = low.removesuffix("s").removesuffix("test"), True
        elif family == "jvm" and stem.startswith("Test") and stem[4:5].isupper():
            low, is_test = low[4:], True
    low = low.strip("_")
    folder = pure.parent.name.lower()
    if low in ("init", "mod", "index") and not is_test and folder not in ("", "src", "lib"):
        low = folder.strip("_")  # a package's index file is the package: router/index.js
    if low in ("", "init", "conftest", "mod", "index", "main", "lib", "utils", "helpers"):
        return None  # names every package has pair nothing in particular
    return (low, family), is_test


def pairs(paths: Sequence[str], seeds: Mapping[int, float]) -> dict[int, float]:
    """The partners of the seed documents (by index in ``paths``), each credited with its
    seed's weight, shared among at most :data:`_MAX_PARTNERS` partners."""
    if not seeds:
        return {}
    keys = [pair_key(p) for p in paths]
    wanted = {keys[d][0] for d in seeds if keys[d] is not None}  # type: ignore[index]
    groups: dict[tuple[tuple[str, str], bool], list[int]] = {}
    for doc, key in enumerate(keys):
        if key is not None and key[0] in wanted:
            groups.setdefault(key, []).append(doc)
    out: dict[int, float] = {}
    for doc, weight in seeds.items():
        key = keys[doc]
        if key is None:
            continue
        partners = groups.get((key[0], not key[1]), [])
        if 0 < len(partners) <= _MAX_PARTNERS:
            for other in partners:
                out[other] = out.get(other, 0.0) + weight / len(partners)
    return out


_PATHLIKE = re.compile(r"[\w.\-]+(?:/[\w.\-]+)*\.[A-Za-z]\w{0,5}\b|[\w\-]+(?:/[\w.\-]+)+")
_DOTTED = re.compile(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\b")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{3,}")
_RUST_PATH = re.compile(r"\b[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+")
# the files a module path names: Python (a.b as a/b.py or a/b/__init__.py), the JVM (a package
# is dotted: com.google.gson.Gson is com/google/gson/Gson.java), Rust (a::b as a/b.rs, a/b/mod.rs)
_DOTTED_FILES = (".py", "/__init__.py", ".java", ".kt")
_RUST_FILES = (".rs", "/mod.rs")


def _modules(
    parts: Sequence[str],
    files: Sequence[str],
    by_suffix: Mapping[str, list[int]],
    credit: Callable[[Sequence[int], float], None],
) -> None:
    """Credit the files of the module ``parts`` names, or of its parent (``a.b.c``: ``c``
    may be an attribute of ``a.b``), by path suffix."""
    for cut in (len(parts), len(parts) - 1):
        base = "/".join(parts[:cut])
        if cut and base:
            credit([d for end in files for d in by_suffix.get(base + end, [])], 1.0)


def mentions(paths: Sequence[str], task: str) -> dict[int, float]:
    """Documents the task names: by path or file name (1.0), by dotted module (1.0), by a
    code-like word that is a file's stem (0.7), or by a plain word that is one (0.3). A name
    that more than :data:`_MAX_MATCHES` files answer to says nothing and is dropped."""
    task = task[:20_000]
    by_suffix: dict[str, list[int]] = {}
    by_stem: dict[str, list[int]] = {}
    for doc, path in enumerate(paths):
        parts = path.split("/")
        for i in range(len(parts)):
            by_suffix.setdefault("/".join(parts[i:]), []).append(doc)
        name = parts[-1]
        stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
        by_stem.setdefault(stem.lower(), []).append(doc)
    out: dict[int, float] = {}

    def credit(docs: Sequence[int], value: float) -> None:
        if 0 < len(docs) <= _MAX_MATCHES:
            for doc in docs:
                out[doc] = max(out.get(doc, 0.0), value / len(docs))

    for token in _PATHLIKE.findall(task):
        credit(by_suffix.get(token.strip("./"), []), 1.0)
    for dotted in _DOTTED.findall(task):
        credit(by_stem.get(dotted.lower(), []), 1.0)  # test/res.clearCookie.js, req.xhr.js
        _modules(dotted.split("."), _DOTTED_FILES, by_suffix, credit)
    for path in _RUST_PATH.findall(task):
        parts = [p for p in path.split("::") if p not in ("crate", "self", "super")]
        _modules(parts, _RUST_FILES, by_suffix, credit)
        if len(parts) > 2:  # grep_printer::json::JSON: crate grep_printer, its src/json.rs
            _modules(parts[1:], _RUST_FILES, by_suffix, credit)
    for word in dict.fromkeys(_WORD.findall(task)):
        code_like = "_" in word.strip("_") or (any(c.isupper() for c in word[1:]))
        credit(by_stem.get(word.lower(), []), 0.7 if code_like else 0.3)
    return out
