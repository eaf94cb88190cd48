"""Search in the diff says where it is: ``7 matches in 2 hunks, here 1 of 2`` (how often the
term shows, in how many hunks across the listed files, and which of those hunks is on
screen) in the status bar as ``n``/``N`` move, and ``no match`` when none does."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import PATCH, screen_text

from tui.app import make_app
from tui.state import ReviewState

pytestmark = pytest.mark.anyio


def _status(app: object) -> str:
    return str(app.screen.query_one("#review-status").render())  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_status_counts_the_matches_as_n_moves(repo: Path, size: tuple[int, int]) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("slash", *"return", "enter")  # a.py's two hunks, not b.txt's
        await pilot.pause()
        assert "/return: 7 matches in 2 hunks, here 1 of 2" in _status(app)
        await pilot.press("n")
        await pilot.pause()
        assert "/return: 7 matches in 2 hunks, here 2 of 2" in _status(app)
        await pilot.press("n")  # wraps round
        await pilot.pause()
        assert "/return: 7 matches in 2 hunks, here 1 of 2" in _status(app)
        await pilot.press("N")
        await pilot.pause()
        assert "/return: 7 matches in 2 hunks, here 2 of 2" in _status(app)
        assert "here 2 of 2" in screen_text(app).splitlines()[-2]  # on screen, at 80 too
        await pilot.press("slash", "ctrl+u", *"TWO", "enter")  # any case: b.txt's hunk
        await pilot.pause()
        assert "/TWO: 2 matches in 1 hunk, here 1 of 1" in _status(app)
        assert "file 2/2" in _status(app)


async def test_a_search_without_a_match_says_so(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("slash", *"nowhere", "enter")
        await pilot.pause()
        assert "/nowhere: no match" in _status(app)
        assert "no match: no hunk shows 'nowhere'" in screen_text(app)
        await pilot.press("n")  # still none: said again, the cursor stays
        await pilot.pause()
        assert "file 1/2  hunk 1/2" in _status(app) and "no match" in _status(app)
        await pilot.press("escape")  # clears the search: no count left
        await pilot.pause()
        assert "match" not in _status(app)


def test_the_label_counts_matches_and_hunks_and_says_which_is_here() -> None:
    from tui.diffsearch import match_label

    found = [(0, 1), (0, 2), (3, 1)]
    assert match_label(found, (0, 2), 7) == "7 matches in 3 hunks, here 2 of 3"
    assert match_label(found, (1, 1), 7) == "7 matches in 3 hunks"  # not on a match: no here
    assert match_label([(2, 1)], (2, 1), 1) == "1 match in 1 hunk, here 1 of 1"
    assert match_label([], (0, 1), 0) == "no match"


async def test_on_a_hunk_without_the_term_the_count_has_no_here(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("slash", *"TWO", "enter")  # b.txt's hunk
        await pilot.pause()
        await pilot.press("left_square_bracket")  # back to a.py, whose hunks hold no 'two'
        await pilot.pause()
        assert "file 1/2" in _status(app)
        assert _status(app).endswith("/TWO: 2 matches in 1 hunk")


async def test_at_80_columns_a_long_tally_keeps_which_match_is_here(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("y")  # the tally grows: "2 pending  1 accepted"
        await pilot.press("slash", *"return", "enter")
        await pilot.pause()
        shown = screen_text(app).splitlines()[-2]
        assert shown.endswith("/return: here 2 of 2, 7 matches"), shown
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("y", "slash", *"return", "enter")
        await pilot.pause()
        assert "/return: 7 matches in 2 hunks, here 2 of 2" in screen_text(app)
    from tui.diffsearch import match_label

    assert match_label([(0, 1)], (1, 1), 3, short=True) == "3 matches in 1 hunk"
