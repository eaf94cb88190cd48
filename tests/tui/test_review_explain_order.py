"""The explanation keeps a list under the sentence that introduces it.

Walked at 80x24 on a clone of attrs: the answer said "I made `optional` document ..., and:"
then a bullet list, then the diff; the overlay (``w``) showed the list first and the
sentence after it, because the paragraph nearest the edit (the list) was moved to the
front on its own. Now the paragraphs between two edit blocks move together, in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import PATCH

from tui.app import make_app
from tui.prose import explanation
from tui.screens.explain import ExplainScreen
from tui.state import ReviewState

pytestmark = pytest.mark.anyio
A_PART, B_PART = PATCH.split("--- a/b.txt")
ANSWER = (
    "I changed two files, and:\n\n- f0 returns 100,\n- f10 multiplies.\n\n"
    "```diff\n" + A_PART + "```\n\n"
    "b.txt shouts its second line.\n\n"
    "```diff\n--- a/b.txt" + B_PART + "```\n\n"
    "Run the tests after applying.\n"
)


def test_the_section_of_the_nearest_paragraph_comes_first_in_order() -> None:
    a_line = ANSWER.splitlines().index("--- a/a.py") + 1
    b_line = ANSWER.splitlines().index("--- a/b.txt") + 1
    first = explanation(ANSWER, [a_line]).split("\n\n")
    assert first == [
        "I changed two files, and:",
        "- f0 returns 100,\n- f10 multiplies.",
        "b.txt shouts its second line.",
        "Run the tests after applying.",
    ]
    assert explanation(ANSWER, [b_line]).split("\n\n")[:2] == [
        "b.txt shouts its second line.",
        "I changed two files, and:",
    ]


async def test_the_overlay_reads_in_order_at_80x24(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, ANSWER, title="answer"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
        assert app.screen.text.startswith("I changed two files, and:\n\n- f0 returns 100")
