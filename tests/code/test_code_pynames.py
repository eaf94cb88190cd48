"""pyscan.names: the names ranking reads of a Python file without a parse are those of the
tags query (here exactly; on Django and the Python mirrors 21 calls more of 58,436), and
hostile text stays bounded."""

from __future__ import annotations

from pathlib import Path

from assistant.code.pyscan import names
from assistant.code.tags import tags_for_language

REPO = Path(__file__).resolve().parents[2]


def parsed(text: str) -> tuple[set[str], set[str]]:
    tags = tags_for_language("python", text)
    return {s.name for s in tags.defs}, {s.name for s in tags.refs}


TRICKY = '''"""Module doc: def not_a_def(x): class NotAClass(y) call_in_doc()"""
import os
LIMIT = 3
annotated: int = 4
bare_annotation: str
chained = other = 5
a, b = 1, 2
x.attr = 6
x[0] = 7
LIMIT == 8
SETTINGS = dict(
keyword_in_call=1,
)
TABLE = {
"key": 1,
}
total = 1 + \\
continued_name = 2
s = "def in_string(): pass"  # def in_comment(): call_in_comment()
t = r'class InRaw(Base)' + b"x" + f"{called_in_fstring()}"
u = \'\'\'
def in_triple():
    pass
\'\'\'


class Shape(Base, mod.Mixin, metaclass=Meta):
    sides = 0

    def area(self, *args):
        return compute(self).value.scaled(2)

    async def fetch(self):
        await self.client.get(url)

    @decorated(arg)
    def drawn(self): print("(")


def outer():
    def inner():
        return [helper(i) for i in range(3)]
    if x: return lambda: undef_call()
    return inner


class Empty: pass
class Generic(Base[int]): pass
if True:
    nested_assignment = 1
else:
    other_nested = 2
try:
    pass
finally:
    pass
'''


def test_a_tricky_file_gives_the_names_of_the_tags_query() -> None:
    defs, refs = parsed(TRICKY)
    got = names(TRICKY)
    assert got.defs == defs
    assert got.refs == refs
    assert "called_in_fstring" in got.refs
    assert {"LIMIT", "annotated", "bare_annotation", "chained", "Shape", "inner"} <= got.defs
    assert not {"not_a_def", "NotAClass", "in_triple", "keyword_in_call", "other"} & got.defs
    assert not {"call_in_doc", "call_in_comment", "in_string", "other_nested"} & (
        got.defs | got.refs
    )
    assert {"Base", "Mixin", "compute", "scaled", "helper", "decorated", "print"} <= got.refs


def test_every_python_file_of_this_repository() -> None:
    files = sorted((REPO / "assistant").rglob("*.py")) + sorted((REPO / "tests").rglob("*.py"))
    assert len(files) > 200
    refs_total = refs_missed = refs_extra = 0
    for path in files:
        text = path.read_text()
        defs, refs = parsed(text)
        got = names(text)
        assert got.defs == defs, path
        refs_total += len(refs)
        refs_missed += len(refs - got.refs)
        refs_extra += len(got.refs - refs)
    assert refs_total > 5000
    assert refs_missed + refs_extra < refs_total / 1000


def test_hostile_text_stays_bounded() -> None:
    one_line = "x = (" + "f(a, '\"" * 400_000  # 3 MB, one line, strings and brackets left open
    assert names(one_line).defs == {"x"}
    deep = "value = " + "(" * 200_000 + "1" + ")" * 200_000 + "\nafter = call(2)\n"
    found = names(deep)
    assert found.defs == {"value", "after"} and found.refs == {"call"}
    unclosed = 'doc = """never closed\ndef hidden():\n' + "pass\n" * 100_000
    assert names(unclosed).defs == {"doc"}
    binary = "".join(chr(i % 256) for i in range(300_000)) + "\ndef visible(): pass\n"
    assert "visible" in names(binary).defs
