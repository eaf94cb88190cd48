"""The Review screen driven by keys (Pilot), asserting on the files on disk."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tuikit import A_PY, B_TXT, PATCH, screen_text

from assistant.edits import HunkState
from tui.app import make_app
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.review import ReviewScreen
from tui.state import ReviewState
from tui.widgets.diff_view import DiffView

SIZE = (120, 40)
pytestmark = pytest.mark.anyio


def _app(repo: Path, patch: str = PATCH):  # type: ignore[no-untyped-def]
    state = ReviewState.from_patch(repo, patch, title="test.diff")
    return make_app(repo, review=state), state


def _where(app) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    assert screen.file is not None
    return screen.file.path, screen.diff.current_hunk


async def test_opens_on_the_first_hunk_and_moves_with_n_p_j_k(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert _where(app) == ("a.py", 1)
        text = screen_text(app)
        assert "a.py" in text and "b.txt" in text
        assert "return x + 100" in text
        await pilot.press("n")
        assert _where(app) == ("a.py", 2)
        await pilot.press("n")
        assert _where(app) == ("b.txt", 1)  # n crosses into the next file
        await pilot.press("p")
        assert _where(app) == ("a.py", 2)  # and back, onto the previous file's last hunk
        await pilot.press("p")
        assert _where(app) == ("a.py", 1)
        diff = app.screen.query_one(DiffView)
        await pilot.press("j", "j", "j")
        assert diff.cursor == 3
        await pilot.press("k")
        assert diff.cursor == 2
        await pilot.press("p")  # p on a hunk's line goes to its header
        assert diff.cursor == 0


async def test_accept_some_reject_others_apply_and_undo(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")  # accept a.py hunk 1, move on
        await pilot.press("x")  # reject a.py hunk 2
        await pilot.press("space")  # accept b.txt hunk 1
        assert [h.state for f in state.files for h in f.hunks] == [
            HunkState.ACCEPTED,
            HunkState.REJECTED,
            HunkState.ACCEPTED,
        ]
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        a_py = (repo / "a.py").read_text()
        assert "return x + 100" in a_py
        assert "return x + 10\n" in a_py and "x * 10" not in a_py
        assert (repo / "b.txt").read_text() == "one\nTWO\nthree\n"
        assert state.count(HunkState.APPLIED) == 2
        assert "applied" in screen_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert (repo / "a.py").read_text() == A_PY
        assert (repo / "b.txt").read_text() == B_TXT
        assert state.count(HunkState.APPLIED) == 0
        assert state.count(HunkState.ACCEPTED) == 2


async def test_apply_asks_first_and_no_writes_nothing(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # the whole file
        await pilot.press("enter")
        assert "Apply 2 accepted hunks to 1 file?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert (repo / "a.py").read_text() == A_PY
        assert state.count(HunkState.ACCEPTED) == 2


async def test_enter_with_nothing_accepted_writes_nothing(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "no accepted hunks" in screen_text(app)
        assert (repo / "a.py").read_text() == A_PY


async def test_a_second_apply_keeps_the_first(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y", "enter", "y")  # a.py hunk 1 only
        await pilot.pause()
        assert "return x + 100" in (repo / "a.py").read_text()
        await pilot.press("p", "n")  # back onto hunk 2 (the cursor moved on after y)
        assert _where(app) == ("a.py", 2)
        await pilot.press("y", "enter", "y")
        await pilot.pause()
        a_py = (repo / "a.py").read_text()
        assert "return x + 100" in a_py and "return x * 10\n    # changed" in a_py
        await pilot.press("u")  # undo reverts the second apply only
        await pilot.pause()
        a_py = (repo / "a.py").read_text()
        assert "return x + 100" in a_py and "x * 10" not in a_py


async def test_r_rejects_the_file_and_a_failed_hunk_shows_the_closest_match(repo: Path) -> None:
    patch = PATCH.replace("-    return x + 10\n", "-    return x + 1O\n")  # typo: no match
    app, state = _app(repo, patch)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert _where(app) == ("a.py", 2)
        assert state.files[0].hunks[1].state == HunkState.FAILED
        text = screen_text(app)
        assert "cannot be applied" in text
        assert "closest region" in text and "return x + 10" in text
        assert "failed" in text
        await pilot.press("y")  # a failed hunk cannot be accepted
        assert state.files[0].hunks[1].state == HunkState.FAILED
        await pilot.press("p", "r")
        assert state.files[0].hunks[0].state == HunkState.REJECTED


async def test_e_edits_the_hunk_in_the_editor(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('x + 100', 'x + 42'))\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    app, state = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert state.files[0].hunks[0].state == HunkState.ACCEPTED
        assert "x + 42" in screen_text(app)
        await pilot.press("right_square_bracket", "left_square_bracket")  # away and back
        await pilot.pause()
        assert "x + 42" in screen_text(app) and "x + 100" not in screen_text(app)
        await pilot.press("enter", "y")
        await pilot.pause()
        a_py = (repo / "a.py").read_text()
        assert "return x + 42\n" in a_py and "x + 100" not in a_py


async def test_shift_x_rejects_with_a_reason(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("X")
        await pilot.pause()
        await pilot.press(*"keep zero", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert state.files[0].hunks[0].state == HunkState.REJECTED
        assert state.rejected_with_reasons() == {"a.py#1": "keep zero"}
        await pilot.press("s")  # no model session behind a patch: says so, sends nothing
        assert isinstance(app.screen, ReviewScreen)


async def test_changed_on_disk_meanwhile_is_a_conflict_and_nothing_is_written(repo: Path) -> None:
    app, state = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        (repo / "a.py").write_text(A_PY.replace("return x + 0", "return x - 0"))
        await pilot.press("a", "n", "n")  # accept a.py, move on to b.txt
        await pilot.press("y", "enter", "y")
        await pilot.pause()
        assert state.files[0].hunks[0].state == HunkState.CONFLICT
        assert "nothing was written" in screen_text(app)
        assert (repo / "b.txt").read_text() == B_TXT
        assert "return x - 0" in (repo / "a.py").read_text()


async def test_d_toggles_side_by_side_and_help_opens_and_closes(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.query_one(DiffView).split
        line = next(x for x in screen_text(app).splitlines() if "x + 100" in x)
        assert "return x + 0" in line and "│" in line  # old and new on one row
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "edit the hunk in $EDITOR" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_tab_and_the_file_list(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "j")  # in the file list, j moves between files
        assert _where(app) == ("b.txt", 1)
        await pilot.press("enter")  # back to the diff
        assert app.screen.query_one(DiffView).has_focus
        await pilot.click("#files", offset=(3, 0))  # the mouse works too
        assert _where(app)[0] == "a.py"


def _row_backgrounds(app) -> list[object]:  # type: ignore[no-untyped-def]
    """The background behind the status glyph on each of the file list's first two rows."""
    strips = app.screen._compositor.render_strips()
    x, y = app.screen.query_one("#files").region.offset
    return [strips[y + i].crop(x + 1, x + 2)._segments[0].style.bgcolor for i in (0, 1)]


async def test_the_file_list_highlight_follows_the_file_shown(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        on, off = _row_backgrounds(app)
        assert on != off
        await pilot.press("n", "n")  # onto b.txt: its row lights up, a.py's goes out
        await pilot.pause()
        assert _row_backgrounds(app) == [off, on]
        await pilot.press("p")
        await pilot.pause()
        assert _row_backgrounds(app) == [on, off]


async def test_the_next_file_is_drawn_before_it_is_shown(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.widgets import diff_view

    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # a.py shown, and b.txt's first screen built meanwhile
        painted: list[str] = []
        real = diff_view.highlight_line

        def counted(path: str, text: str, *, dark: bool = True):  # type: ignore[no-untyped-def]
            painted.append(text)
            return real(path, text, dark=dark)

        monkeypatch.setattr(diff_view, "highlight_line", counted)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert _where(app) == ("b.txt", 1)
        assert "TWO" in screen_text(app)
        assert painted == []


def _marked(app) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """Each diff row's text (after the gutter) and whether it carries the hunk mark."""
    x, y = app.screen.query_one(DiffView).region.offset
    rows = screen_text(app).splitlines()[y:]
    return {row[x + 1 :].strip(): row[x : x + 1] == "▌" for row in rows if len(row) > x + 1}


async def test_the_hunk_mark_and_the_cursor_move_with_n_and_j(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        marked = _marked(app)
        assert next(v for k, v in marked.items() if k.endswith("return x + 100"))
        assert not next(v for k, v in marked.items() if k.endswith("return x * 10"))
        await pilot.press("n")
        await pilot.pause()
        marked = _marked(app)
        assert not next(v for k, v in marked.items() if k.endswith("return x + 100"))
        assert next(v for k, v in marked.items() if k.endswith("return x * 10"))
        await pilot.press("p", "j", "j")  # the cursor's line number lights up, and only it
        await pilot.pause()
        diff = app.screen.query_one(DiffView)
        strips = app.screen._compositor.render_strips()
        x, y = diff.region.offset
        lit = [
            i
            for i in range(4)
            # the background: the foreground may be moved for contrast (tui.contrast)
            if strips[y + i].crop(x + 1, x + 2)._segments[0].style.bgcolor
            == diff._style("cursor").bgcolor
        ]
        assert lit == [2]


async def test_resizes_down_to_80x24(repo: Path) -> None:
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        text = screen_text(app)
        assert len(text.splitlines()) == 24
        assert "return x + 100" in text and "Apply" in text


async def test_c_commits_only_the_applied_paths(repo: Path) -> None:
    import git

    (repo / "other.txt").write_text("staged, not ours\n")
    with git.Repo(repo) as r:
        r.index.add(["other.txt"])
    app, _ = _app(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")  # nothing applied yet: no dialog
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("n", "n", "y", "enter", "y")  # b.txt only
        await pilot.pause()
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
    with git.Repo(repo) as r:
        head = r.head.commit
        assert head.message.strip() == "tome: test.diff"
        assert sorted(head.stats.files) == ["b.txt"]
        assert head.tree["b.txt"].data_stream.read() == b"one\nTWO\nthree\n"
        assert [d.a_path for d in r.index.diff("HEAD")] == ["other.txt"]  # still staged


async def test_a_planted_journal_is_ignored_with_a_warning_on_screen(repo: Path) -> None:
    """A journal tome did not write is never replayed; in the UI its warning is a toast
    (stderr is not on screen)."""
    planted = repo / ".tome" / "journal" / "20260101T000000-000000000-abcdef"
    planted.mkdir(parents=True)
    (planted / "manifest.json").write_text(
        '{"version":1,"state":"pending","created":0,"dirs":[],'
        '"files":[{"path":"b.txt","old":null,"new":null,"mode":420}]}'
    )
    app, state = _app(repo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("a", "enter", "y")
        await pilot.pause()
        shown = screen_text(app)  # the toast wraps: its words, line by line
        assert "ignoring journal" in shown and "not" in shown
        assert ".tome/journal/20260101T000000-000000000-abcdef" in shown
        assert (repo / "b.txt").exists()  # the planted "undo" of b.txt did not run
        assert state.count(HunkState.APPLIED) >= 1
