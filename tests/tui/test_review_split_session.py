"""S and L split the hunks of a session's answer too, and the split is kept in the history:
reopened from History, the hunk is split again into the same pieces and each decision is on
the piece it was made on; applying then writes exactly the accepted piece."""

from __future__ import annotations

import pytest
from fakeopenai import FakeOpenAI, Reply
from tuikit import GREET_APP, GREET_UTIL, TYPE_ADD, screen_text, search_replace

from assistant.edits import HunkState
from assistant.session import Assistant
from tui.app import make_app
from tui.screens.confirm import ConfirmScreen
from tui.screens.history import HistoryScreen
from tui.screens.leave import LeaveScreen
from tui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio
SIZE = (120, 40)

# one hunk over the whole of app.py with two changes three unchanged lines apart
WHOLE = GREET_APP.rstrip("\n")
RENAMED = WHOLE.replace("def greet(name):", "def welcome(name):").replace(
    'print(greet("world"))', 'print(hello("world"))'
)
ANSWER = f"Two renames.\n\n{search_replace('app.py', WHOLE, RENAMED)}\n{TYPE_ADD}"
ONLY_SECOND = GREET_APP.replace('print(greet("world"))', 'print(hello("world"))')


def _states(screen: ReviewScreen) -> dict[tuple[str, int], HunkState]:
    return {(f.path, h.index): h.state for f in screen.state.files for h in f.hunks}


def _lines(screen: ReviewScreen, path: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    return [(h.old_lines, h.new_lines) for h in screen.state.changeset[path].hunks]


async def test_a_split_session_answer_reloads_with_each_decision_on_its_piece(
    greet_assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    a = greet_assistant
    fake_openai.push(Reply(text=ANSWER))
    result = a.ask("rename twice and type add")
    app = make_app(a.root, assistant=a, screen="history")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.state.session is a
        await pilot.press("S")
        await pilot.pause()
        assert "hunk 1 split into 2 hunks" in screen_text(app)
        pieces = _lines(review, "app.py")
        assert len(pieces) == 2 and pieces[1][1][-1] == '    print(hello("world"))'
        await pilot.press("x", "y")  # reject the def rename, take the print rename
        await pilot.pause()
        assert _states(review) == {
            ("app.py", 1): HunkState.REJECTED,
            ("app.py", 2): HunkState.ACCEPTED,
            ("util.py", 1): HunkState.PENDING,
        }
        await pilot.press("q")  # accepted, not applied: asked; leave, decisions recorded
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("enter")  # loaded again from the history database
        await pilot.pause()
        again = app.screen
        assert isinstance(again, ReviewScreen) and again is not review
        assert again.state.result is not None and again.state.result is not result
        assert _lines(again, "app.py") == pieces  # the same pieces
        assert _states(again) == {
            ("app.py", 1): HunkState.REJECTED,
            ("app.py", 2): HunkState.ACCEPTED,
            ("util.py", 1): HunkState.PENDING,
        }
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    assert (a.root / "app.py").read_text() == ONLY_SECOND  # exactly the accepted piece
    assert (a.root / "util.py").read_text() == GREET_UTIL
    stored = a.store.load(result.session_id)
    assert stored is not None and stored.applies[0].hunks == (("app.py", 2),)


async def test_lines_split_renumbers_the_hunks_after_it_and_undo_accepts_them_again(
    greet_assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    """A split after an apply renumbers what that apply wrote, so undoing it accepts again
    the hunks it wrote, under their new numbers (not the pieces now numbered as they were)."""
    a = greet_assistant
    two = search_replace("app.py", "def main():", "def main() -> None:")
    first = search_replace("app.py", 'def greet(name):\n    return "hi " + name',
                           'def greet(who):\n    return "hi " + who')  # fmt: skip
    fake_openai.push(Reply(text=f"{first}\n{two}"))
    result = a.ask("type main, rename the parameter")
    result.changeset["app.py"].accept(2)
    a.apply(result)  # writes hunk 2 (def main)
    history = a.sessions
    assert history.split(result, "app.py", 1, lines=True) == 4  # -/+ for each of two lines
    assert [h.state for h in result.changeset["app.py"].hunks][-1] == HunkState.APPLIED
    stored = a.store.load(result.session_id)
    assert stored is not None and stored.applies[0].hunks == (("app.py", 5),)
    a.undo(result.session_id)
    reloaded = a.load(result.session_id)
    f = reloaded.changeset["app.py"]
    assert len(f.hunks) == 5
    assert [h.state for h in f.hunks] == [HunkState.PENDING] * 4 + [HunkState.ACCEPTED]
    assert f.hunks[4].new_lines == ("def main() -> None:",)
