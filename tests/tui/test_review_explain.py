"""Review shows the model's explanation (the answer's prose) beside the diff: the paragraph
nearest the file's edit first, ``w`` toggles it, none for a bare patch, an overlay at 80
columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import PATCH, screen_text

from tui.app import make_app
from tui.screens.explain import ExplainScreen
from tui.screens.review import ReviewScreen
from tui.state import ReviewState
from tui.widgets.answer_markdown import AnswerMarkdown

pytestmark = pytest.mark.anyio
WIDE = (160, 48)
A_PART, B_PART = PATCH.split("--- a/b.txt")
ANSWER = (
    "f0 now returns 100 and f10 multiplies: the callers wanted the larger values.\n\n"
    "```diff\n" + A_PART + "```\n\n"
    "b.txt shouts its second line, as the \x1b[2Jspec asks.\n\n"
    "```diff\n--- a/b.txt" + B_PART + "```\n\n"
    "Run the tests after applying.\n"
)


def _pane(app: object) -> tuple[bool, str]:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ReviewScreen)
    pane = screen.query_one("#explain")
    found = screen.query("#explain-text")  # mounted when an explanation is first shown
    text = found.first(AnswerMarkdown).source if found else ""
    return bool(pane.display), text


async def test_the_explanation_stands_beside_the_diff_nearest_first(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, ANSWER, title="answer"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        shown, text = _pane(app)
        assert shown
        assert text.startswith("f0 now returns 100")
        assert "Run the tests after applying." in text and "@@" not in text
        assert "return x" not in text  # the edit blocks are taken out
        assert "f0 now returns 100" in screen_text(app)
        await pilot.press("right_square_bracket")  # b.txt: its own paragraph comes first
        await pilot.pause()
        shown, text = _pane(app)
        assert shown and text.startswith("b.txt shouts its second line")
        assert "\\x1b[2Jspec" in text and "\x1b" not in text  # escaped, shown
        await pilot.press("w")
        await pilot.pause()
        assert not _pane(app)[0]
        assert "b.txt shouts" not in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        assert _pane(app)[0]


async def test_a_bare_patch_has_no_explanation(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="bare"))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert not _pane(app)[0]
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and not _pane(app)[0]
        assert not app.screen.query(AnswerMarkdown)  # no prose: no Markdown widget either


async def test_at_80_columns_w_opens_an_overlay(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, ANSWER, title="answer"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not _pane(app)[0]  # no room for a third pane
        assert "f0 now returns" not in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
        assert "f0 now returns 100" in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


MARKDOWN = (
    "The **callers** wanted `larger` values:\n\n- f0 returns 100\n- f10 multiplies\n\n"
    "## Notes\n\nSee [the spec](https://example.com/spec).\n\n"
    "```diff\n" + A_PART + "```\n\n```diff\n--- a/b.txt" + B_PART + "```\n"
)


@pytest.mark.parametrize("size", [WIDE, (80, 24)])
async def test_the_explanation_is_rendered_as_markdown_like_the_stream(
    repo: Path, size: tuple[int, int]
) -> None:
    """Beside the diff (wide) and in the overlay (80 columns): emphasis, code, a list and a
    heading are rendered, not shown as their marks; a link stays text (inert, as in Stream)."""
    app = make_app(repo, review=ReviewState.from_patch(repo, MARKDOWN, title="answer"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if size != WIDE:
            await pilot.press("w")
            await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        text = screen_text(app)
        assert "The callers wanted larger values:" in text, text
        assert "**" not in text and "`" not in text and "## Notes" not in text
        assert "• f0 returns 100" in text and "• f10 multiplies" in text
        assert "Notes" in text
        assert "the spec" in text  # shown as written, never a link
