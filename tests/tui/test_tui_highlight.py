"""Syntax colours for single diff lines."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pygments.lexers
import pytest
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.util import ClassNotFound
from rich.style import Style

from tui import highlight


def test_a_line_is_coloured_once_for_every_file_of_its_language() -> None:
    assert highlight.lexer_for("a.py") is highlight.lexer_for("pkg/b.py")
    assert highlight.lexer_for("notes.txt") is None
    line = "def handler_shared(request):  # a"
    spans = highlight.highlight_line("a.py", line)
    assert spans == highlight.highlight_line("pkg/b.py", line)
    assert all(isinstance(style, Style) for _, _, style in spans)
    coloured = {line[s:e]: style for s, e, style in spans}
    assert coloured["def"].color is not None and coloured["def"] != coloured["handler_shared"]
    before = highlight._highlight.cache_info().hits
    highlight.highlight_line("pkg/c.py", line)
    assert highlight._highlight.cache_info().hits == before + 1


def test_the_cache_is_invisible_to_the_garbage_collector() -> None:
    line = "value = compute(value, factor=3)  # untracked"
    highlight.highlight_line("a.py", line)
    gc.collect()  # tuples of plain numbers are untracked as a collection finds them:
    gc.collect()  # the spans at the first, the tuple holding them at the next
    cached = highlight._highlight(highlight.lexer_for("a.py"), line, highlight.DARK_THEME)
    assert cached and not gc.is_tracked(cached)


NAMES = ["a.py", "x.js", "a.tsx", "a.rs", "a.go", "a.h", "a.cpp", "Makefile", "Dockerfile",
         "CMakeLists.txt", "a.json", "a.yml", "a.toml", "a.md", "a.html", "a.sql", "setup.cfg",
         "a.txt", "README", "a.unknownext"]  # fmt: skip


def test_lexers_are_pygments_own_choice_without_loading_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = {}
    for name in NAMES:
        try:
            lexer = get_lexer_for_filename(name)
            expected[name] = None if lexer.name == "Text only" else type(lexer)
        except ClassNotFound:
            expected[name] = None

    def no_plugins() -> Iterator[type[Lexer]]:
        raise AssertionError("plugin lexers were looked up")
        yield  # pragma: no cover

    monkeypatch.setattr(pygments.lexers, "find_plugin_lexers", no_plugins)
    highlight._lexer_class.cache_clear()
    got = {name: type(lx) if (lx := highlight.lexer_for(name)) else None for name in NAMES}
    assert got == expected
    assert expected["a.py"] is not None and expected["a.unknownext"] is None
