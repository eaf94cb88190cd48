"""Definitions and references of one file, read with the grammar's tags query.

A match of a ``tags.scm`` pattern carries ``@name`` and one ``@definition.<kind>`` or
``@reference.<kind>`` capture; we keep the name's text, the kind and the 1-based inclusive
line range of the captured node. Two normalisations on top of the shipped queries:

- a ``function`` defined inside a class or interface body is a ``method`` (Python's
  and PHP's queries call every ``def`` a function);
- one node matched by two patterns (Rust tags a method both as method and as function) is
  reported once, with the more specific kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import tree_sitter

from .registry import language_for, parser, tags_query

_CONTAINERS = frozenset({"class", "interface"})


class Symbol(NamedTuple):
    """A named definition or reference: kind is class, function, method, call, type...

    A named tuple rather than a dataclass: a repository has hundreds of thousands of them,
    and ``Symbol._make`` builds one from a cached row without running Python code.
    """

    name: str
    kind: str
    line_start: int  # 1-based, inclusive
    line_end: int  # 1-based, inclusive


@dataclass(frozen=True, slots=True)
class FileTags:
    """Definitions and references of one file, each in source order."""

    defs: tuple[Symbol, ...]
    refs: tuple[Symbol, ...]


def encode(text: str) -> bytes:
    """Source bytes for tree-sitter; lone surrogates (undecodable input) pass through."""
    return text.encode("utf-8", "surrogatepass")


def tags(path: str, text: str) -> FileTags | None:
    """Definitions and references of ``text`` read as ``path``; None when no grammar reads it."""
    language = language_for(path)
    if language is None:
        return None
    return tags_for_language(language, text)


def tags_for_language(language: str, text: str) -> FileTags:
    """Tags of ``text`` in a known language (see :func:`tags`)."""
    tree = parser(language).parse(encode(text))
    cursor = tree_sitter.QueryCursor(tags_query(language))
    defs: dict[tuple[int, int, str], Symbol] = {}
    refs: dict[tuple[int, int, str, str], Symbol] = {}
    for _pattern, captures in cursor.matches(tree.root_node):
        names = captures.get("name")
        if not names:
            continue
        for capture, nodes in captures.items():
            role, _, kind = capture.partition(".")
            if not kind or role not in ("definition", "reference"):
                continue
            node = nodes[0]
            name_node = names[0]
            raw = name_node.text
            if raw is None:
                continue
            name = raw.decode("utf-8", "replace")
            symbol = Symbol(name, kind, node.start_point.row + 1, node.end_point.row + 1)
            if role == "definition":
                key = (node.start_byte, -node.end_byte, name)  # parents sort first
                known = defs.get(key)
                if known is None or known.kind == "function":
                    defs[key] = symbol
            else:
                refs.setdefault((name_node.start_byte, node.end_byte, name, kind), symbol)
    ordered_defs = [defs[key] for key in sorted(defs)]
    ordered_refs = [refs[key] for key in sorted(refs)]
    return FileTags(defs=_methods_in_containers(ordered_defs), refs=tuple(ordered_refs))


def may_define(language: str | None, text: str, name: str) -> bool:
    """False only when :func:`tags_for_language` of ``text`` certainly finds no definition
    named ``name``: a test a thousand times cheaper than a parse, to skip files before one.

    No grammar defines nothing. Python's query defines classes, functions and module-level
    assignments, so the name follows ``def``/``class`` and white space, or starts a line (a
    module's statement is not indented) or follows a ``;``, with ``=`` or ``:`` after it: a
    superset (strings and comments pass too) for any file Python would run; in a broken one
    tree-sitter's error recovery may find a definition more (``foo() X = 1``), which ranking
    can miss. Other languages: True, their queries define too many shapes."""
    if language is None:
        return False
    if language != "python":
        return True
    size = len(name)
    if not size:
        return False
    at = text.find(name)
    while at >= 0:
        end = at + size
        if not _word_char(text, at - 1) and not _word_char(text, end):
            line = text[text.rfind("\n", 0, at) + 1 : at]
            head = line.rstrip(" \t\f")
            if len(head) < len(line) and head.endswith(_DEF_WORDS):
                keyword = head.rsplit(None, 1)[-1] if head.strip() else ""
                if keyword in _DEF_WORDS:
                    return True
            if not line.lstrip("\f") or head.endswith(";"):
                rest = text[end : end + 200].lstrip(" \t\f")
                if rest[:1] in (":", "="):
                    return True
        at = text.find(name, at + 1)
    return False


_DEF_WORDS = ("def", "class")


def _word_char(text: str, at: int) -> bool:
    """Whether ``text[at]`` continues an identifier (False outside the text)."""
    if at < 0 or at >= len(text):
        return False
    char = text[at]
    return char == "_" or char.isalnum()


def _methods_in_containers(defs: list[Symbol]) -> tuple[Symbol, ...]:
    """Rename ``function`` to ``method`` for functions nested directly in a class-like def."""
    out: list[Symbol] = []
    stack: list[Symbol] = []  # enclosing definitions, outermost first
    for symbol in defs:  # sorted by start position, so parents come before children
        while stack and stack[-1].line_end < symbol.line_start:
            stack.pop()
        while stack and not _encloses(stack[-1], symbol):
            stack.pop()
        if symbol.kind == "function" and stack and stack[-1].kind in _CONTAINERS:
            symbol = Symbol(symbol.name, "method", symbol.line_start, symbol.line_end)
        out.append(symbol)
        stack.append(symbol)
    return tuple(out)


def _encloses(outer: Symbol, inner: Symbol) -> bool:
    return outer.line_start <= inner.line_start and inner.line_end <= outer.line_end
