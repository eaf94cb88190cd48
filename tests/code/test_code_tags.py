"""Definitions and references from the shipped tags queries, per language."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.code import FileTags, Symbol, tags

SAMPLES = Path(__file__).parents[1] / "fixtures" / "code"


def _defs(name: str) -> set[tuple[str, str]]:
    found = tags(name, (SAMPLES / name).read_text(encoding="utf-8"))
    assert found is not None
    return {(symbol.name, symbol.kind) for symbol in found.defs}


def _refs(name: str) -> set[str]:
    found = tags(name, (SAMPLES / name).read_text(encoding="utf-8"))
    assert found is not None
    return {symbol.name for symbol in found.refs}


def test_python_definitions_with_kinds_and_line_ranges() -> None:
    found = tags("sample.py", (SAMPLES / "sample.py").read_text(encoding="utf-8"))
    assert found is not None
    by_name = {symbol.name: symbol for symbol in found.defs}
    assert by_name["MAX_ITEMS"] == Symbol("MAX_ITEMS", "constant", 8, 8)
    assert by_name["Item"] == Symbol("Item", "class", 13, 25)
    assert by_name["Meta"] == Symbol("Meta", "class", 19, 25)
    assert by_name["describe"] == Symbol("describe", "method", 22, 25)
    assert by_name["restock"] == Symbol("restock", "method", 45, 56)
    assert by_name["iter_low_stock"] == Symbol("iter_low_stock", "function", 59, 63)
    starts = [symbol.line_start for symbol in found.defs]
    assert starts == sorted(starts)


def test_python_references_include_calls_and_base_classes() -> None:
    found = tags("sample.py", (SAMPLES / "sample.py").read_text(encoding="utf-8"))
    assert found is not None
    refs = {(symbol.name, symbol.kind) for symbol in found.refs}
    assert ("log_scan", "call") in refs
    assert ("replace", "call") in refs
    assert ("Base", "class") in refs
    log_scan = next(symbol for symbol in found.refs if symbol.name == "log_scan")
    assert (log_scan.line_start, log_scan.line_end) == (63, 63)


def test_a_function_nested_in_a_method_stays_a_function() -> None:
    text = "class A:\n    def m(self):\n        def helper():\n            pass\n"
    found = tags("a.py", text)
    assert found is not None
    assert [(s.name, s.kind) for s in found.defs] == [
        ("A", "class"),
        ("m", "method"),
        ("helper", "function"),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "sample.js",
            {
                ("Bus", "class"),
                ("publish", "method"),
                ("replay", "function"),
                ("debounce", "function"),
                ("install", "function"),
            },
        ),
        (
            "sample.ts",
            {
                ("Entity", "interface"),
                ("Query", "type"),
                ("Order", "type"),
                ("Repository", "class"),
                ("validate", "method"),
                ("find", "method"),
                ("count", "function"),
            },
        ),
        (
            "sample.tsx",
            {
                ("ListProps", "interface"),
                ("List", "function"),
                ("Counter", "class"),
                ("render", "method"),
            },
        ),
        (
            "sample.go",
            {
                ("DefaultTTL", "constant"),
                ("Cache", "type"),
                ("Store", "type"),
                ("New", "function"),
                ("Get", "method"),
                ("Set", "method"),
            },
        ),
        (
            "sample.rs",
            {
                ("QueueError", "class"),
                ("Job", "interface"),
                ("Queue", "class"),
                ("new", "method"),
                ("push", "method"),
                ("tests", "module"),
                ("DEFAULT_CAPACITY", "constant"),
            },
        ),
        (
            "Sample.java",
            {
                ("OrderService", "class"),
                ("find", "method"),
                ("Builder", "class"),
                ("Status", "type"),
                ("isFinal", "method"),
            },
        ),
        (
            "sample.c",
            {
                ("ring_new", "function"),
                ("ring_write", "function"),
                ("ring_t", "type"),
                ("RING_MAX", "constant"),
                ("RING_FULL", "macro"),
            },
        ),
        (
            "sample.hpp",
            {
                ("linalg", "module"),
                ("Matrix", "class"),
                ("at", "method"),
                ("Shape", "class"),
                ("square", "method"),
            },
        ),
        (
            "sample.rb",
            {
                ("Throttle", "module"),
                ("Limiter", "class"),
                ("initialize", "method"),
                ("allow?", "method"),
                ("build", "method"),
                ("summary", "method"),
            },
        ),
        (
            "Sample.cs",
            {
                ("IHandler", "interface"),
                ("Dispatcher", "class"),
                ("HandleAsync", "method"),
                ("ShouldRetry", "method"),
                ("Envelope", "class"),
            },
        ),
        (
            "sample.php",
            {
                ("App\\Users", "module"),
                ("Finder", "interface"),
                ("UserRepository", "class"),
                ("find", "method"),
                ("paginate", "function"),
            },
        ),
    ],
)
def test_definitions_per_language(name: str, expected: set[tuple[str, str]]) -> None:
    assert expected <= _defs(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sample.js", {"setMaxListeners", "queueMicrotask", "Bus"}),
        ("sample.go", {"Now", "Lock"}),
        ("sample.rs", {"push_back", "write"}),
        ("Sample.java", {"ofNullable", "NotFoundException"}),
        ("sample.c", {"malloc", "RING_FULL"}),
        ("sample.hpp", {"fill", "at"}),
        ("sample.rb", {"synchronize", "freeze"}),
        ("Sample.cs", {"AddRange", "WriteLine"}),
        ("sample.php", {"fetch", "connect"}),
    ],
)
def test_references_per_language(name: str, expected: set[str]) -> None:
    assert expected <= _refs(name)


def test_no_grammar_gives_none() -> None:
    assert tags("notes.txt", "def f(): pass\n") is None


def test_non_ascii_names_and_undecodable_text() -> None:
    text = "# é\ndef größe():\n    return 1\n\nx = '\udcff'\n"
    found = tags("u.py", text)
    assert found is not None
    assert Symbol("größe", "function", 2, 3) in found.defs
    assert Symbol("x", "constant", 5, 5) in found.defs


def test_broken_source_still_yields_what_parses() -> None:
    found = tags("b.py", "def ok():\n    return 1\n\ndef broken(:\n")
    assert isinstance(found, FileTags)
    assert ("ok", "function") in {(s.name, s.kind) for s in found.defs}
