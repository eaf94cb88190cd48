"""Syntax colours for single lines: a pygments lexer picked by file name, one line at a time.

A diff shows scattered lines, not whole files, so each line is lexed on its own (a line inside
a multi-line string may be coloured as code; that is the usual trade in diff viewers).
Styles come from a pygments theme through rich, keeping only colour, bold and italic so the
diff's own backgrounds show through.

One lexer per language, shared by all its files, so a line seen in one file is coloured from
the cache in the next. The cache holds plain numbers (styles by index in ``_STYLES``): tuples
of ints are invisible to the garbage collector, which otherwise walks every cached span.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from functools import cache, lru_cache

from pygments.lexer import Lexer
from pygments.lexers import find_lexer_class, get_all_lexers
from rich.style import Style
from rich.syntax import PygmentsSyntaxTheme

Spans = list[tuple[int, int, Style]]

DARK_THEME = "monokai"
LIGHT_THEME = "friendly"


_SHARED: dict[type[Lexer], Lexer] = {}
"""The first lexer made of each kind, used for every file of that kind."""


def lexer_ready(path: str) -> bool:
    """Whether :func:`lexer_for` answers ``path`` without building a lexer: pygments turns
    a language's rules into regular expressions when its first lexer is made (Python's:
    40 ms), which the first screen need not wait for (see ``DiffView.plain_first``)."""
    cls = _lexer_class(path)
    return cls is None or cls in _SHARED


def lexer_for(path: str) -> Lexer | None:
    """The lexer for ``path``'s kind of file, or None (plain text: nothing to colour); one
    shared by every file of that kind."""
    cls = _lexer_class(path)
    if cls is None:
        return None
    lexer = _SHARED.get(cls)
    if lexer is None:
        lexer = _SHARED[cls] = cls(stripnl=False, ensurenl=False)
    return lexer


@lru_cache(maxsize=256)
def _lexer_class(path: str) -> type[Lexer] | None:
    """The lexer class for a file name, or None (plain text: nothing to colour).

    Chosen among pygments' own lexers as ``get_lexer_for_filename`` chooses (the highest
    priority, an exact name before a pattern), but never among plugin lexers: looking those
    up imports every package that registers one (IPython: 0.2 s, in the middle of opening
    the Review screen).
    """
    name = os.path.basename(path)
    found: list[tuple[float, str, type[Lexer]]] = []
    for lexer_name, _, patterns, _ in get_all_lexers(plugins=False):
        for pattern in patterns:
            if _matches(name, pattern):
                cls = find_lexer_class(lexer_name)
                if cls is not None:
                    bonus = 0.5 if "*" not in pattern else 0.0
                    found.append((cls.priority + bonus, cls.__name__, cls))
    if not found:
        return None
    cls = max(found, key=lambda m: (m[0], m[1]))[2]
    return None if cls.name == "Text only" else cls


def _matches(name: str, pattern: str) -> bool:
    """``fnmatchcase(name, pattern)``, without compiling a regex for the common shapes:
    ``*.py`` is a suffix, ``Makefile`` a name. pygments has some 800 patterns; compiling
    each on the first lookup took a quarter of a second of opening the Review screen."""
    if not any(c in pattern for c in "*?["):
        return name == pattern
    if pattern[0] == "*" and not any(c in pattern[1:] for c in "*?["):
        return name.endswith(pattern[1:])
    return fnmatchcase(name, pattern)


@lru_cache(maxsize=4)
def _theme(name: str) -> PygmentsSyntaxTheme:
    return PygmentsSyntaxTheme(name)


_STYLES: list[Style] = []
"""Every style a token has been given, in order of first use (the cache refers by index)."""


@cache  # a few hundred token types: each style is appended once
def _token_style(theme: str, token: tuple[str, ...]) -> int | None:
    """The index in ``_STYLES`` of a token's style (None: uncoloured)."""
    style = _theme(theme).get_style_for_token(token)
    if style.color is None and not style.bold and not style.italic:
        return None
    _STYLES.append(Style(color=style.color, bold=style.bold, italic=style.italic))
    return len(_STYLES) - 1


def highlight_line(path: str, text: str, *, dark: bool = True) -> Spans:
    """``(start, end, style)`` for the coloured stretches of one line of ``path``."""
    lexer = lexer_for(path)
    if lexer is None or not text.strip():
        return []
    styles = _STYLES
    spans = _highlight(lexer, text, DARK_THEME if dark else LIGHT_THEME)
    return [(start, end, styles[style]) for start, end, style in spans]


@lru_cache(maxsize=16384)
def _highlight(lexer: Lexer, text: str, theme: str) -> tuple[tuple[int, int, int], ...]:
    """Lines repeat across a diff (context, moved code): each is lexed once."""
    spans: list[tuple[int, int, int]] = []
    # the unprocessed stream gives offsets and skips the filter pipeline (3x less overhead)
    for pos, token, value in lexer.get_tokens_unprocessed(text + "\n"):
        if pos >= len(text):
            break
        style = _token_style(theme, token)
        if style is not None and value.strip():
            spans.append((pos, min(pos + len(value), len(text)), style))
    return tuple(spans)
