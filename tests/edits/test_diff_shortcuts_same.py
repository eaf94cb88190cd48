"""The speed shortcuts of the edit engine give what the long way gives, on any input.

``diff.opcodes`` reads two sides with no line in common off without a matcher, and
``match._line_overlap`` counts a line of few characters with ``str.count``: both must agree
with ``LineMatcher`` and with the multiset overlap of ``Counter`` exactly.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.edits.diff import LineMatcher, opcodes
from assistant.edits.match import LINE_CHARS, _line_overlap

_LINES = st.lists(
    st.sampled_from(["x", "y", "  }", "}", "", "def f():", "\treturn 1"]), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(_LINES, _LINES)
def test_opcodes_are_the_matchers(a: list[str], b: list[str]) -> None:
    assert list(opcodes(a, b)) == LineMatcher(a, b).get_opcodes()


def test_opcodes_of_sides_with_nothing_in_common() -> None:
    assert list(opcodes(["a", "b"], ["c"])) == [("replace", 0, 2, 0, 1)]
    assert list(opcodes(["a"], [])) == [("delete", 0, 1, 0, 0)]
    assert list(opcodes([], ["c"])) == [("insert", 0, 0, 0, 1)]
    assert list(opcodes([], [])) == []


def _counted(x: str, y: str) -> float:
    x, y = x.rstrip()[:LINE_CHARS], y.rstrip()[:LINE_CHARS]
    if not x and not y:
        return 1.0
    return 2.0 * sum((Counter(x) & Counter(y)).values()) / (len(x) + len(y))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t{}();ab", max_size=30), st.text(alphabet=" \t{}();ac", max_size=30))
def test_line_overlap_of_few_characters_is_the_counters(x: str, y: str) -> None:
    assert _line_overlap(x, y) == _counted(x, y)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500), st.text(max_size=500))
def test_line_overlap_of_any_lines_is_the_counters(x: str, y: str) -> None:
    assert _line_overlap(x, y) == _counted(x, y)
