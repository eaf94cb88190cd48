"""Review on a real 50-file changeset under fast bursts of keys: every key acts on the file
and hunk on screen, and once the burst is handled the app is idle (nothing loops).

The changeset is real: attrs 23.1.0 to 23.2.0 from PyPI, its 50 smallest changed files
(157 hunks; ``tests/fixtures/review/make_attrs.py`` says how it was made).
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from tuikit import screen_text

from assistant.edits import HunkState
from tui.app import make_app
from tui.screens.review import ReviewScreen
from tui.state import ReviewState
from tui.widgets.file_list import FileList

FIXTURE = Path(__file__).parents[1] / "fixtures" / "review" / "attrs-23.1.0-23.2.0.tar.xz"
SIZE = (120, 40)
pytestmark = pytest.mark.anyio


@pytest.fixture
def attrs(make_repo, tmp_path: Path) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    """A git repository holding attrs 23.1.0's files, and the diff to 23.2.0's."""
    files: dict[str, str | bytes] = {}
    with tarfile.open(FIXTURE) as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            if handle is not None:
                files[member.name] = handle.read()
    patch = files.pop("change.diff")
    assert isinstance(patch, bytes)
    before = {k.removeprefix("before/"): v for k, v in files.items() if k.startswith("before/")}
    return make_repo(before), patch.decode()


def _open(attrs: tuple[Path, str]):  # type: ignore[no-untyped-def]
    root, patch = attrs
    state = ReviewState.from_patch(root, patch, title="attrs.diff")
    assert len(state.files) == 50 and not state.problems
    return make_app(root, review=state), state


def _on_screen(app) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The file the screen shows, read from every place that shows it; they must agree."""
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    index = screen.file_index
    shown = screen.diff.file
    assert shown is screen.state.files[index]
    assert screen.query_one(FileList).highlighted == index
    assert f"file {index + 1}/50" in screen_text(app)
    return index, shown.path


def _decided(state: ReviewState) -> list[tuple[str, int, HunkState]]:
    return [
        (f.path, h.index, h.state)
        for f in state.files
        for h in f.hunks
        if h.state != HunkState.PENDING
    ]


class Calls:
    """How often the screen showed a file, and how often it was asked to by the list."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shows: list[int] = []
        self.asked: list[int] = []
        show, asked = ReviewScreen._show, ReviewScreen._file_highlighted

        def counted_show(screen: ReviewScreen, index: int, **kw: object) -> None:
            self.shows.append(index)
            show(screen, index, **kw)  # type: ignore[arg-type]

        def counted_asked(screen: ReviewScreen, event: FileList.OptionHighlighted) -> None:
            self.asked.append(event.option_index)
            asked(screen, event)

        monkeypatch.setattr(ReviewScreen, "_show", counted_show)
        monkeypatch.setattr(ReviewScreen, "_file_highlighted", counted_asked)


async def test_ten_next_file_keys_land_on_the_tenth_file_and_y_accepts_its_hunk(
    attrs: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    app, state = _open(attrs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        calls.shows.clear()
        await pilot.press(*["]"] * 10)
        await pilot.pause()
        index, path = _on_screen(app)
        assert index == 10
        assert calls.shows == list(range(1, 11))  # each key once, no file shown twice
        await pilot.press("y")
        await pilot.pause()
        assert _decided(state) == [(path, 1, HunkState.ACCEPTED)]
        assert path in screen_text(app)


async def test_a_burst_queued_at_once_acts_on_the_file_each_key_finds(
    attrs: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys queued before any is handled (a held key, a fast typist): ] ] ] ] ] y ] ] x."""
    app, state = _open(attrs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in [*["right_square_bracket"] * 5, "y", *["right_square_bracket"] * 2, "x"]:
            app.simulate_key(key)  # posted, not awaited: all nine wait in the queue
        await pilot.pause()
        files = state.files
        assert _decided(state) == [
            (files[5].path, 1, HunkState.ACCEPTED),
            (files[7].path, 1, HunkState.REJECTED),
        ]
        index, _ = _on_screen(app)
        assert index == 7 + (len(files[7].hunks) == 1)  # x moved on past the decided hunk


async def test_after_a_burst_the_app_settles(
    attrs: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    app, _ = _open(attrs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(20):
            app.simulate_key("right_square_bracket")
        for _ in range(10):
            app.simulate_key("left_square_bracket")
        await pilot.pause()
        settled = (len(calls.shows), len(calls.asked))
        assert calls.asked == []  # the screen's own moves never come back as requests
        for _ in range(3):
            await pilot.pause(0.05)
        assert (len(calls.shows), len(calls.asked)) == settled  # nothing ran meanwhile
        assert _on_screen(app)[0] == 10


async def test_the_mouse_still_picks_a_file_in_the_list(attrs: tuple[Path, str]) -> None:
    app, state = _open(attrs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*["]"] * 3)
        await pilot.click("#files", offset=(3, 20))  # the user's own move (paths wrap)
        await pilot.pause()
        index, path = _on_screen(app)  # the list's highlight, the pane and the status agree
        assert index > 3 and path == state.files[index].path
        await pilot.press("y")
        assert _decided(state) == [(path, 1, HunkState.ACCEPTED)]
