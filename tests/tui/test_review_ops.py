"""Review as lazygit and ``git add -p`` users expect it: accept or reject all files (A, R),
split a hunk (S) or stage single lines of it (L), search the diff (/, n, N) and filter the
file list (f)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import A_PY, B_TXT, PATCH, screen_text

from assistant.cli import main
from assistant.edits import HunkState
from tui.app import make_app
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import help_sections
from tui.screens.review import ReviewScreen
from tui.state import ReviewState
from tui.widgets.file_list import FileList

SIZE = (120, 40)
pytestmark = pytest.mark.anyio

# one hunk of a.py with two changes three unchanged lines apart (git add -p's s splits it)
GAPPED = "\n".join(
    [
        "--- a/a.py",
        "+++ b/a.py",
        "@@ -1,8 +1,9 @@",
        " def f0(x):",
        "-    return x + 0",
        "+    return x + 100",
        "+    # zero",
        " ",
        " def f1(x):",
        "     return x + 1",
        " ",
        "-def f2(x):",
        "-    return x + 2",
        "+def f2(y):",
        "+    return y + 2",
        "",
    ]
)


def _app(repo: Path, patch: str = PATCH):  # type: ignore[no-untyped-def]
    state = ReviewState.from_patch(repo, patch, title="test.diff")
    return make_app(repo, review=state), state


def _screen(app) -> ReviewScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def _where(app) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    screen = _screen(app)
    assert screen.file is not None
    return screen.file.path, screen.diff.current_hunk


def _states(state: ReviewState) -> list[HunkState]:
    return [h.state for f in state.files for h in f.hunks]


async def test_shift_a_accepts_the_undecided_hunks_of_every_file(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("X", *"keep zero", "enter")  # a.py hunk 1 rejected with a reason
        await pilot.press("A")
        await pilot.pause()
        assert _states(state) == [HunkState.REJECTED, HunkState.ACCEPTED, HunkState.ACCEPTED]
        assert state.rejected_with_reasons() == {"a.py#1": "keep zero"}
        text = screen_text(app)
        assert "accepted 2 undecided hunks in 2 files" in text
        assert "1 already" in text  # the toast wraps after it
        await pilot.press("R")  # nothing undecided left: says so, changes nothing
        await pilot.pause()
        assert "no undecided hunk left in any file" in screen_text(app)
        assert _states(state) == [HunkState.REJECTED, HunkState.ACCEPTED, HunkState.ACCEPTED]


async def test_shift_r_rejects_the_undecided_hunks_of_every_file(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("y", "R")
        await pilot.pause()
        assert _states(state) == [HunkState.ACCEPTED, HunkState.REJECTED, HunkState.REJECTED]
        assert "rejected 2 undecided hunks in 2 files" in screen_text(app)


async def test_shift_s_splits_at_the_gap_and_only_the_accepted_part_is_written(
    repo: Path,
) -> None:
    app, state = _app(repo, GAPPED)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert len(state.files[0].hunks) == 2
        assert "hunk 1 split into 2 hunks" in screen_text(app)
        assert _where(app) == ("a.py", 1)
        await pilot.press("x", "y", "enter")  # keep f0, take the f2 rename
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    expected = A_PY.replace("def f2(x):\n    return x + 2\n", "def f2(y):\n    return y + 2\n")
    assert (repo / "a.py").read_bytes() == expected.encode()


async def test_shift_l_stages_two_of_five_lines_and_tome_undo_restores(repo: Path) -> None:
    app, state = _app(repo, GAPPED)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("S", "L")  # the first part (-1 +2 lines) into its 3 lines
        await pilot.pause()
        f = state.files[0]
        assert [(h.removed, h.added) for h in f.hunks] == [(1, 0), (0, 1), (0, 1), (2, 2)]
        await pilot.press("n", "n", "n", "L")  # the f2 part into its 4 lines
        await pilot.pause()
        assert len(f.hunks) == 7
        assert "hunk 4 split into 4 lines" in screen_text(app)
        # y on '+    # zero' (hunk 3) and on '-    return x + 2' (hunk 5); x on the rest
        await pilot.press("p", "p", "p", "x", "x", "y", "x", "y", "x", "x")
        await pilot.pause()
        assert [h.state for h in f.hunks].count(HunkState.ACCEPTED) == 2
        await pilot.press("enter", "y")
        await pilot.pause()
    lines = A_PY.splitlines(keepends=True)
    expected = [lines[0], lines[1], "    # zero\n", *lines[2:6], lines[6], *lines[8:]]
    assert (repo / "a.py").read_bytes() == "".join(expected).encode()
    assert main(["undo", "-C", str(repo)]) == 0
    assert (repo / "a.py").read_bytes() == A_PY.encode()
    assert (repo / "b.txt").read_text() == B_TXT


async def test_slash_searches_and_n_moves_to_the_next_match_and_wraps(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash", *"TWO")  # typed into the box: no key acts meanwhile
        await pilot.pause()
        assert _screen(app).search == ""  # not yet: Enter goes to it
        await pilot.press("enter")
        await pilot.pause()
        assert _where(app) == ("b.txt", 1)
        assert "/TWO" in screen_text(app)
        await pilot.press("n")  # the only match: comes round to it
        await pilot.pause()
        assert _where(app) == ("b.txt", 1)
        assert "search wrapped round" in screen_text(app)


async def test_n_and_shift_n_step_through_matches_across_files(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash", *"return x", "enter")
        await pilot.pause()
        assert _where(app) == ("a.py", 1)  # the hunk on screen matches: it stays
        await pilot.press("n")
        assert _where(app) == ("a.py", 2)
        await pilot.press("n")  # b.txt has no match: round to a.py hunk 1
        await pilot.pause()
        assert _where(app) == ("a.py", 1)
        await pilot.press("N")
        assert _where(app) == ("a.py", 2)
        await pilot.press("escape")  # clears the search, does not leave
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and _screen(app).search == ""
        await pilot.press("n")  # n is the next hunk again
        assert _where(app) == ("b.txt", 1)
        assert _states(state) == [HunkState.PENDING] * 3  # no key typed in the box decided


async def test_the_search_term_is_marked_in_the_diff(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"x * 10", "enter")
        await pilot.pause()
        diff = _screen(app).diff
        match = diff.get_component_rich_style("diff-view--match")
        marked = [
            seg.text
            for y in range(diff.size.height)
            for seg in diff.render_line(y)
            if seg.style is not None and seg.style.bgcolor == match.bgcolor
        ]
        assert "".join(marked) == "x * 10"  # one match, in as many segments as colours


async def test_escape_in_the_search_box_closes_it_and_clears_the_marks(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"yx")
        await pilot.pause()
        assert _screen(app).diff.search == "yx"  # marked as typed
        await pilot.press("escape")
        await pilot.pause()
        screen = _screen(app)
        assert screen.diff.search == "" and screen.search == ""
        assert screen.focused is screen.diff
        assert _states(state) == [HunkState.PENDING] * 3


async def test_f_filters_the_file_list_by_path_and_escape_clears_it(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"B.T")
        await pilot.pause()
        files = app.screen.query_one(FileList)
        assert files.option_count == 1 and files.shown == [1]
        assert _where(app) == ("b.txt", 1)  # the file on screen was filtered out: the first kept
        await pilot.press("enter", "left_square_bracket", "p")  # no file before it in the list
        await pilot.pause()
        assert _where(app) == ("b.txt", 1)
        assert "filter 'B.T': 1 file" in screen_text(app)
        await pilot.press("escape")  # clears the filter, keeps the file
        await pilot.pause()
        assert files.option_count == 2 and _where(app) == ("b.txt", 1)
        assert isinstance(app.screen, ReviewScreen)


async def test_the_help_lists_the_new_keys(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = dict(help_sections(app.get_key_display))["Review"]
        said = {keys: prose for keys, prose in rows}
        for key in ("A", "R", "S", "L", "/", "N", "f"):
            assert any(key in keys.split(", ") for keys in said), (key, rows)
        assert "accept the file's undecided hunks (decided ones stay)" in said.values()
        assert "accept the undecided hunks of all files" in said.values()
