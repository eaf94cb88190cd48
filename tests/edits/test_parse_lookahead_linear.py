"""A look-ahead over a long run of queued lines reads each line once, whatever the cut.

The parser looks past blank lines after a fence (is it a whole file?) and past bare lines
in a hunk (does the hunk go on?). It read them by index into its queue, a deque, and a
deque indexed in its middle walks to the index: with the whole answer queued at once, 1 MB
of blank lines after a fence took 7 s. Each input here is sized so that the quadratic path
takes far longer than the timeout, and a linear one about a second.
"""

from __future__ import annotations

import pytest

from assistant.edits import EditParser, parse_edits

pytestmark = pytest.mark.timeout(15)


def test_blank_lines_after_a_fence_given_at_once_are_read_in_linear_time() -> None:
    blank = "\n" * 2_000_000
    (edit,) = parse_edits("a.py\n```\n" + blank + "x = 1\n```\n")
    assert edit.action == "replace" and edit.content == blank + "x = 1\n"


def test_bare_lines_in_a_hunk_given_at_once_are_read_in_linear_time() -> None:
    bare = "b\n" * 1_500_000
    parser = EditParser()
    (edit,) = (
        parser.feed("--- a/a.py\n+++ b/a.py\n@@\n x\n" + bare + " x\n-y\n+z\n") + parser.close()
    )
    assert not parser.problems
    (hunk,) = edit.hunks
    assert hunk.before == ("x", *["b"] * 1_500_000, "x", "y")
    assert hunk.after == ("x", *["b"] * 1_500_000, "x", "z")
