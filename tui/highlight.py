"""Syntax colours for single lines: a pygments lexer picked by file name, one line at a time.

A diff shows scattered lines, not whole files, so each line is lexed on its own (a line inside
a multi-line string may be coloured as code; that is the usual trade in diff viewers).
Styles come from a pygments theme through rich, keeping only colour, bold and italic so the
diff's own backgrounds show through.
"""

from __future__ import annotations

from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from rich.style import Style
from rich.syntax import PygmentsSyntaxTheme

Spans = list[tuple[int, int, Style]]

DARK_THEME = "monokai"
LIGHT_THEME = "friendly"


@lru_cache(maxsize=256)
def lexer_for(path: str) -> Lexer | None:
    """The lexer for a file name, or None (plain text: nothing to colour)."""
    try:
        lexer = get_lexer_for_filename(path, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    return None if lexer.name == "Text only" else lexer


@lru_cache(maxsize=4)
def _theme(name: str) -> PygmentsSyntaxTheme:
    return PygmentsSyntaxTheme(name)


@lru_cache(maxsize=2048)
def _token_style(theme: str, token: _TokenType) -> Style | None:
    style = _theme(theme).get_style_for_token(token)
    if style.color is None and not style.bold and not style.italic:
        return None
    return Style(color=style.color, bold=style.bold, italic=style.italic)


def highlight_line(path: str, text: str, *, dark: bool = True) -> Spans:
    """``(start, end, style)`` for the coloured stretches of one line of ``path``."""
    lexer = lexer_for(path)
    if lexer is None or not text.strip():
        return []
    return list(_highlight(lexer, text, DARK_THEME if dark else LIGHT_THEME))


@lru_cache(maxsize=16384)
def _highlight(lexer: Lexer, text: str, theme: str) -> tuple[tuple[int, int, Style], ...]:
    """Lines repeat across a diff (context, moved code): each is lexed once."""
    spans: Spans = []
    # the unprocessed stream gives offsets and skips the filter pipeline (3x less overhead)
    for pos, token, value in lexer.get_tokens_unprocessed(text + "\n"):
        if pos >= len(text):
            break
        style = _token_style(theme, token)
        if style is not None and value.strip():
            spans.append((pos, min(pos + len(value), len(text)), style))
    return tuple(spans)
