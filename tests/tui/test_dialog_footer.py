"""A dialog's bottom row lists the dialog's own keys, not the keys of the screen beneath.

Walked at 80x24: with the help, the reason box, the fix-a-hunk editor, the explanation
overlay or the leave question open, the footer still read Review's ``n Next hunk y Accept
x Reject ...``, keys that do nothing while the dialog is up.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import PATCH, screen_text

from tui.app import make_app
from tui.state import ReviewState

pytestmark = pytest.mark.anyio
FAILING = PATCH.replace("-    return x + 10", "-    return x + 1O")
ANSWER = "f0 returns 100.\n\n```diff\n" + FAILING + "```\n"


@pytest.mark.parametrize(
    ("keys", "dialog", "shown"),
    [
        (["question_mark"], "HelpScreen", "esc Close"),
        (["X"], "ReasonScreen", "esc Cancel"),
        (["y", "enter"], "ConfirmScreen", "n No"),
        (["w"], "ExplainScreen", "esc Close"),
        (["n", "e"], "FixHunkScreen", "^s Place"),
        (["y", "q"], "LeaveScreen", "d Leave"),
    ],
)
async def test_the_footer_under_a_dialog_is_the_dialogs(
    repo: Path, keys: list[str], dialog: str, shown: str
) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, ANSWER, title="answer"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        assert type(app.screen).__name__ == dialog
        footer = screen_text(app).splitlines()[-1]
        assert shown in footer, footer
        for underneath in ("Next hunk", "Accept", "Reject", "Commit"):
            assert underneath not in footer, footer
