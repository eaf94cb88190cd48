"""may_define: the text test that lets ranking skip a parse. It may say yes wrongly, never no
wrongly: every definition tree-sitter finds passes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.code import language_for
from assistant.code.tags import may_define, tags_for_language

ASSISTANT = Path(__file__).parents[2] / "assistant"

TRICKY = """\
import os; LIMIT = 3;WIDTH: int = 80
NAME : str
class\tTabbed(Base):
    x = 1
    def  spaced(self): pass
async def coro():
    def inner(): return 1
@decorated
def dec(): ...
if True:
    nested = 1
def héllo(): pass
\fFORM = 1
x = y = 2
"""


def test_every_definition_tree_sitter_finds_passes() -> None:
    names = {s.name for s in tags_for_language("python", TRICKY).defs}
    assert {"LIMIT", "WIDTH", "NAME", "Tabbed", "spaced", "coro", "inner", "héllo"} <= names
    for name in names:
        assert may_define("python", TRICKY, name), name


def test_this_projects_own_sources_pass_for_every_definition() -> None:
    checked = 0
    for path in sorted(ASSISTANT.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for symbol in tags_for_language("python", text).defs:
            assert may_define("python", text, symbol.name), (path, symbol)
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    "text",
    [
        "run(save)\nobj.save()\n",  # calls and arguments
        "f(\n    save=1)\n",  # a keyword argument on its own line
        "x = saved\nsave_all = 1\ndef saver(): pass\n",  # longer names
        "class A:\n    save = 1\n",  # an indented assignment is not a module's
        "if save == 1: pass\n",
        "",
    ],
)
def test_a_file_that_only_uses_the_name_is_skipped(text: str) -> None:
    assert not may_define("python", text, "save")
    names = {s.name for s in tags_for_language("python", text).defs}
    assert "save" not in names  # and tree-sitter agrees


def test_no_grammar_never_defines_and_other_languages_always_may() -> None:
    assert not may_define(None, "def save(): pass", "save")
    assert may_define(language_for("a.js"), "save()", "save")
    assert not may_define("python", "def (): pass", "")


def test_hostile_names_and_text_are_plain_strings() -> None:
    text = "def a(): pass\n\udcff = 1\n" + "(" * 10_000
    for name in (".*", "(", "\\", "a|b", "[", "\udcff"):
        may_define("python", text, name)  # no regex, no crash
    assert may_define("python", text, "a")
    assert not may_define("python", "x(" * 50_000, "x")  # many uses stay linear
