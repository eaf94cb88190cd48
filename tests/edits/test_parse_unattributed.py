"""A block that looks like an edit but has no usable path is a parse problem: never skipped
while the rest of the answer is applied, never given to the file named before it.

Data: google/gson@2541e658f70bc9928b573c33168075786c7fef2f (Apache-2.0), as in
``test_parse_spaced_paths``; the notes file under a name with an apostrophe, which no path
rule reads.
"""

from __future__ import annotations

import pytest

from assistant.edits import EditParseError, apply_edits, parse_edits

from .test_parse_spaced_paths import FILES, JAVA, JAVA_AFTER, JAVA_BEFORE, NOTES_ADDED

ODD = "gson/What's new in GSON 2.0.txt"


def _sr(path_line: str, search: str, replace: str) -> str:
    return (f"{path_line}\n```\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n"
            "```\n\n")  # fmt: skip


def test_a_search_block_after_an_unreadable_name_is_not_given_to_the_file_before() -> None:
    """Before: both blocks were read as edits of the Java file (the path line before the
    second block was skipped, the earlier path kept)."""
    first = JAVA_BEFORE.splitlines(True)[3]
    answer = (_sr(f"`{JAVA}`", first, first.replace("version1_2 =", "version1_2  ="))
              + _sr(f"`{ODD}`", first, first + NOTES_ADDED))  # fmt: skip
    with pytest.raises(EditParseError) as info:
        parse_edits(answer)
    message = str(info.value)
    assert f"the block after line 10 was not used: {ODD!r} looks like a file name" in message


def test_a_whole_file_after_an_unreadable_name_refuses_the_answer() -> None:
    """Before: the block was skipped and the Java file written alone."""
    answer = (f"`{ODD}`\n```\n{NOTES_ADDED}```\n\n"
              f"`{JAVA}`\n```java\n{JAVA_AFTER}```\n")  # fmt: skip
    with pytest.raises(EditParseError) as info:
        apply_edits(FILES, answer)
    assert "line 1 was not used" in str(info.value)


@pytest.mark.parametrize(
    "answer",
    [
        # prose and code in backticks before a fence are not file names
        "Call it as\n\n`obj.method()`\n\n```java\nobj.method();\n```\n",
        "Then\n\n`make test`\n```\nok\n```\n",
        # a diff fence: its own headers name the file
        f"`{ODD}`\n```diff\n--- a/{JAVA}\n+++ b/{JAVA}\n@@ -4 +4 @@\n"
        f"-{JAVA_BEFORE.splitlines()[3]}\n+{JAVA_AFTER.splitlines()[3]}\n```\n",
    ],
)
def test_no_problem_where_nothing_is_left_unattributed(answer: str) -> None:
    edits = parse_edits(answer)  # raises on a problem
    assert [e.path for e in edits] == ([JAVA] if "diff" in answer else [])
