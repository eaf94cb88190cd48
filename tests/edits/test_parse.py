"""Parsing: every format, mixed with prose, and the same result however the text is cut."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.edits import EditParseError, EditParser, parse_edits
from assistant.edits.parse import path_from_line

from .conftest import CASES, FIXTURES

MIXED = "\n\n".join((FIXTURES / c / "response").read_text() for c in CASES)


def test_mixed_answer_yields_every_format_in_order() -> None:
    edits = parse_edits(MIXED)
    assert {e.syntax for e in edits} == {"udiff", "search-replace", "patch", "whole"}
    assert [e.path for e in edits if e.syntax == "patch"] == [
        "io.py", "notes/README.md", "legacy.py", "const.py", "VERSION"
    ]  # fmt: skip
    moved = next(e for e in edits if e.move_to)
    assert (moved.path, moved.move_to) == ("const.py", "constants.py")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(MIXED)), max_size=40))
def test_any_chunking_gives_the_same_edits(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [MIXED[a:b] for a, b in zip([0, *points], [*points, len(MIXED)], strict=True)]
    parser = EditParser()
    streamed = [e for chunk in chunks for e in parser.feed(chunk)] + parser.close()
    assert streamed == parse_edits(MIXED)


def test_edits_arrive_as_soon_as_they_are_complete() -> None:
    parser = EditParser()
    first = "a.py\n```\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n"
    assert [e.path for e in parser.feed(first)] == ["a.py"]
    assert parser.feed("```\nb.py\n```\n<<<<<<< SEARCH\ny\n=======\n") == []
    assert [e.path for e in parser.feed("z\n>>>>>>> REPLACE\n```\n")] == ["b.py"]
    assert parser.close() == []


def test_cut_off_block_is_a_parse_problem() -> None:
    text = "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx ="
    try:
        parse_edits(text)
    except EditParseError as exc:
        assert "not finished" in str(exc)
        assert exc.problems[0].line == 2
    else:
        raise AssertionError("expected EditParseError")
    assert parse_edits(text, strict=False) == []


def test_search_block_without_path_is_reported() -> None:
    parser = EditParser()
    parser.feed("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n")
    parser.close()
    assert "no file path" in parser.problems[0].message


def test_udiff_counts_are_not_trusted_and_blank_context_is_kept() -> None:
    text = "--- a/x.py\n+++ b/x.py\n@@ -1,1 +1,1 @@\n a\n\n-b\n+c\n d\n"
    (edit,) = parse_edits(text)
    assert edit.hunks[0].lines == ((" ", "a"), (" ", ""), ("-", "b"), ("+", "c"), (" ", "d"))


def test_removed_sql_comment_is_not_a_file_header() -> None:
    text = "--- a/q.sql\n+++ b/q.sql\n@@\n--- old comment\n+++ new comment\n select 1;\n"
    (edit,) = parse_edits(text)
    assert edit.hunks[0].lines == (
        ("-", "-- old comment"),
        ("+", "++ new comment"),
        (" ", "select 1;"),
    )


def test_crlf_answer_is_read_like_lf() -> None:
    text = "a.py\r\n<<<<<<< SEARCH\r\nx\r\n=======\r\ny\r\n>>>>>>> REPLACE\r\n"
    (edit,) = parse_edits(text)
    assert edit.hunks[0].lines == (("-", "x"), ("+", "y"))


def test_path_lines() -> None:
    assert path_from_line("`src/a.py`") == "src/a.py"
    assert path_from_line("**src/a.py**") == "src/a.py"
    assert path_from_line("### File: src/a.py") == "src/a.py"
    assert path_from_line("src/a.py:") == "src/a.py"
    assert path_from_line("In `src/a.py` we change:") is None
    assert path_from_line("Version 1.2.3") is None
    assert path_from_line("See e.g.") is None


def test_snippet_after_prose_is_not_a_whole_file() -> None:
    text = "Here is how `a.py` looks now:\n```python\nx = 1\n```\n"
    assert parse_edits(text) == []
