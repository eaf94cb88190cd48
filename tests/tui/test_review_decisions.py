"""Review's decisions as git and lazygit users expect them: X moves on like y and x, ``a`` and
``r`` decide only what is still undecided (and say so), ``q`` never drops accepted hunks that
were not written without asking."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import A_PY, B_TXT, PATCH, screen_text

from assistant.edits import HunkState
from tui.app import make_app
from tui.screens.leave import LeaveScreen
from tui.screens.review import ReviewScreen
from tui.state import ReviewState

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


def _app(repo: Path):  # type: ignore[no-untyped-def]
    state = ReviewState.from_patch(repo, PATCH, title="test.diff")
    return make_app(repo, review=state), state


def _where(app) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    assert screen.file is not None
    return screen.file.path, screen.diff.current_hunk


def _states(state: ReviewState) -> list[HunkState]:
    return [h.state for f in state.files for h in f.hunks]


async def test_shift_x_moves_on_to_the_next_hunk_like_y_and_x(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("X", *"keep zero", "enter")
        await pilot.pause()
        assert _where(app) == ("a.py", 2)
        await pilot.press("X", *"not this one", "enter")
        await pilot.pause()
        assert _where(app) == ("b.txt", 1)  # across files, as n does
        assert state.rejected_with_reasons() == {"a.py#1": "keep zero", "a.py#2": "not this one"}
        await pilot.press("X", "escape")  # cancelled: nothing decided, the cursor stays
        await pilot.pause()
        assert _where(app) == ("b.txt", 1)
        assert state.files[1].hunks[0].state == HunkState.PENDING


async def test_a_accepts_only_the_undecided_hunks_and_keeps_a_reasoned_rejection(
    repo: Path,
) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("X", *"keep zero", "enter")  # a.py hunk 1 rejected, on hunk 2
        await pilot.press("a")
        await pilot.pause()
        assert _states(state) == [HunkState.REJECTED, HunkState.ACCEPTED, HunkState.PENDING]
        assert state.rejected_with_reasons() == {"a.py#1": "keep zero"}
        text = screen_text(app)
        assert "accepted 1 undecided hunk of a.py" in text
        assert "1 already decided" in text  # the toast wraps after it
        await pilot.press("a")  # nothing left to decide: says so, changes nothing
        await pilot.pause()
        assert "no undecided hunk left in a.py" in screen_text(app)
        assert state.files[0].hunks[0].state == HunkState.REJECTED


async def test_r_rejects_only_the_undecided_hunks(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("y", "r")  # a.py: hunk 1 accepted, then the rest rejected
        await pilot.pause()
        assert [h.state for h in state.files[0].hunks] == [HunkState.ACCEPTED, HunkState.REJECTED]
        assert "rejected 1 undecided hunk of a.py" in screen_text(app)


async def test_q_with_accepted_unapplied_hunks_asks_and_stay_keeps_the_review(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y", "q")
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        assert "1 accepted hunk in 1 file not applied yet" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.is_running
        assert state.files[0].hunks[0].state == HunkState.ACCEPTED
        assert (repo / "a.py").read_text() == A_PY


async def test_q_then_d_leaves_without_writing(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y", "q", "d")
        await pilot.pause()
        assert app._exit  # the review was the first screen: leaving it quits
    assert (repo / "a.py").read_text() == A_PY


async def test_q_then_a_applies_and_leaves(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "y", "q", "a")  # accept b.txt only
        await pilot.pause()
        assert app._exit
    assert (repo / "b.txt").read_text() == "one\nTWO\nthree\n"
    assert (repo / "a.py").read_text() == A_PY
    assert state.files[1].hunks[0].state == HunkState.APPLIED


async def test_q_after_everything_accepted_was_applied_leaves_at_once(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "y", "enter", "y")  # accept b.txt and apply it
        await pilot.pause()
        assert (repo / "b.txt").read_text() != B_TXT
        await pilot.press("q")
        await pilot.pause()
        assert app._exit and not isinstance(app.screen, LeaveScreen)
