"""The fast Python outline: logical lines through strings, brackets and continuations."""

from __future__ import annotations

import ast

import pytest

from assistant.code import pyscan
from assistant.code.skeleton import tree_skeleton

BODY = "        a = 1\n        b = 2\n        c = a + b\n        return c * 1000\n"


def _fast(text: str) -> tuple[str, int]:
    made = pyscan.skeleton(text)
    assert made is not None
    ast.parse(made[0])
    return made


def test_strings_brackets_and_continuations_do_not_start_logical_lines() -> None:
    text = (
        "def f(\n"
        "    a,  # not a def: )\n"
        "    b='''\n"
        "def fake():\n"
        "''',\n"
        "):\n"
        '    """Doc with def g(): inside."""\n'
        "    x = [\n"
        "1, 2,\n"
        "    ]\n"
        "    y = 1 + \\\n"
        "2\n"
        "    s = 'it''s' \"#\" + '\\\\'\n"
        "    return x, y, s\n"
        "top = 1\n"
    )
    text_out, elided = _fast(text)
    assert elided == 7
    assert text_out == (
        "def f(\n    a,  # not a def: )\n    b='''\ndef fake():\n''',\n):\n"
        '    """Doc with def g(): inside."""\n    ...  # ⋯ 7 lines elided\ntop = 1\n'
    )
    assert text_out == tree_skeleton("python", text).text


def test_nested_classes_async_and_decorated_methods() -> None:
    text = (
        "class A:\n"
        "    class B:\n"
        "        @staticmethod\n"
        "        async def m(x):\n"
        + BODY.replace("        ", "            ")
        + "    def n(self): return 1\n"
    )
    text_out, elided = _fast(text)
    assert elided == 4
    assert "        async def m(x):\n            ...  # ⋯ 4 lines elided\n" in text_out
    assert "    def n(self): return 1\n" in text_out


def test_tabs_crlf_and_form_feeds() -> None:
    tabbed = "def f():\n\tif True:\n\t\tx = 1\n\t\ty = 2\n\treturn x + y + 100000\n"
    assert _fast(tabbed) == ("def f():\n\t...  # ⋯ 4 lines elided\n", 4)
    crlf = "def f():\r\n    x = 1\r\n    y = 2\r\n    return x + y + 1000000\r\n"
    out, elided = _fast(crlf)
    assert elided == 3
    assert out.startswith("def f():\r\n    ...  # ⋯ 3 lines elided")
    form_feed = "\x0cdef f():\n" + BODY
    assert _fast(form_feed)[1] == 4


def test_trailing_comments_indented_under_a_body_go_with_it() -> None:
    text = "def f():\n" + BODY.replace("        ", "    ") + "    # trailing note\n# top\nx = 1\n"
    out, elided = _fast(text)
    assert elided == 5
    assert out == "def f():\n    ...  # ⋯ 5 lines elided\n# top\nx = 1\n"


@pytest.mark.parametrize(
    "text",
    [
        "x = '''never closed\n",
        "x = (1,\n",
        "x = 1)\n",
        "x = 'no close\n",
        "x = 1 \\ y\n",
    ],
)
def test_gives_up_on_what_it_cannot_read(text: str) -> None:
    assert pyscan.skeleton(text) is None


def test_single_quoted_string_continued_with_a_backslash() -> None:
    text = (
        "def f():\n    s = 'a\\\nb'\n    t = s * 2\n    return s + t + 'xxxxxxxxxxxxxxxxxxxxxx'\n"
    )
    assert _fast(text) == ("def f():\n    ...  # ⋯ 4 lines elided\n", 4)


def test_a_body_of_only_a_docstring_is_kept() -> None:
    text = 'def f():\n    """Only a docstring,\n    over two lines."""\n'
    assert _fast(text) == (text, 0)
