"""Snapshots of every screen at a fixed size (pytest-textual-snapshot).

Regenerate after a deliberate change with ``pytest tests/tui --snapshot-update`` and look at
the SVGs under ``__snapshots__/`` before committing them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList
from tolerancekit import DRIFTED
from tolerancekit import PATCH as TOLERATED_PATCH
from tuikit import PATCH

from assistant.edits import FileEdit, Hunk
from assistant.history import RoundSummary, SessionSummary
from tui.app import TomeApp, make_app
from tui.screens.history import HistoryScreen
from tui.screens.stream import StreamScreen
from tui.state import ReviewState

SIZE = (120, 40)
FAILING = PATCH.replace("-    return x + 10", "-    return x + 1O")


def _review(repo: Path, patch: str = PATCH) -> App[Any]:
    return make_app(repo, review=ReviewState.from_patch(repo, patch, title="test.diff"))


def test_review_unified(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_review(repo), press=["y", "x"], terminal_size=SIZE)


def test_review_side_by_side(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_review(repo), press=["n", "d"], terminal_size=SIZE)


def test_review_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_review(repo), press=["n"], terminal_size=(80, 24))


def test_review_tolerated_80x24(snap_compare, make_repo) -> None:  # type: ignore[no-untyped-def]
    """Hunk 2 placed with trailing whitespace ignored: "~" in the title, list and header."""
    root = make_repo({"textwrap.py": DRIFTED})
    app = _review(root, TOLERATED_PATCH)
    assert snap_compare(app, press=["n"], terminal_size=(80, 24))


def test_review_failed_hunk(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_review(repo, FAILING), press=["n"], terminal_size=SIZE)


def test_review_confirm(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_review(repo), press=["a", "enter"], terminal_size=SIZE)


def test_help(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_review(repo), press=["question_mark"], terminal_size=SIZE)


class _Assistant:
    """Just enough of ``assistant.Assistant`` for Compose and History, with fixed values."""

    def __init__(self, root: Path) -> None:
        from assistant import load_settings
        from assistant.model import Backend, ClientOptions, Prices

        self.root = root
        self.cache = None
        self.settings = load_settings(project=root)
        self.options = ClientOptions()
        self.reasoning_level = "off"  # the test backend has no reasoning control
        self.reserve = 1_000  # output tokens reserved per request
        self.prompt_overhead = 600  # the system message and the chat framing
        self.backend = Backend(
            name="test", base_url="http://127.0.0.1:9/v1", model="fake-model", window=100_000,
            max_output=1_000, encoding="cl100k_base", api_key_env="TEST_MODEL_KEY",
            key_required=False, prices=Prices(cache_hit=0.028, cache_miss=0.14, output=0.28),
        )  # fmt: skip

    def history(self, *, limit: int = 50) -> list[SessionSummary]:
        first = "rename greet to welcome\nand its callers"
        return [
            SessionSummary(2, "type add", "test", "fake-model", 1e6, "applied", 1, 612, 0.0001),
            SessionSummary(1, first, "test", "fake-model", 996_400.0, "answered", 2, 598, 0.0002),
        ]

    def requests(self, *, limit: int = 50) -> list[SessionSummary]:
        """Three requests, the oldest with two repair rounds (round 2 taken, a file more)."""
        one = RoundSummary(1, 1, "first", "answered", 1, 0, None, None, 1_240, 0, 212, 0.0002,
                           False, files=1)  # fmt: skip
        two = RoundSummary(2, 2, "placement", "applied", 0, 1, None, None, 1_530, 1_236, 96,
                           0.0001, True, files=2)  # fmt: skip
        rename = SessionSummary(1, "rename greet to welcome\nand its callers", "test",
                                "fake-model", 996_400.0, "applied", 2, 598, 0.0002,
                                rounds=(one, two), stopped="placed")  # fmt: skip
        follow_up = SessionSummary(3, "explain main", "test", "fake-model", 999_000.0,
                                   "answered", 0, 601, 0.0, parent_id=2)  # fmt: skip
        return [
            SessionSummary(4, "type add", "test", "fake-model", 1e6, "applied", 1, 612, 0.0001),
            follow_up,
            rename,
        ]


def test_compose(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(repo, assistant=_Assistant(repo))

    async def counted(pilot: Pilot[Any]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"rename f0 to zero")

    assert snap_compare(app, run_before=counted, terminal_size=SIZE)


def test_history(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    """A request's repair rounds are rows under it (a tree), each with its usage."""
    fake = _Assistant(repo)
    app = TomeApp(repo, lambda app: HistoryScreen(fake, now=1_000_042.0), assistant=fake)
    assert snap_compare(app, terminal_size=SIZE)


def test_history_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    """At 80 columns the task and what each round did are on screen (backend last)."""
    fake = _Assistant(repo)
    app = TomeApp(repo, lambda app: HistoryScreen(fake, now=1_000_042.0), assistant=fake)
    assert snap_compare(app, terminal_size=(80, 24))


def _events(cancel: threading.Event) -> Iterator[Any]:
    from assistant.session import FileEdited, TextDelta

    yield TextDelta("I make f0 return 100.\n\n```diff\n--- a/a.py\n+++ b/a.py\n")
    yield TextDelta("@@ -1,3 +1,3 @@\n def f0(x):\n-    return x + 0\n+    return x + 100\n```\n")
    hunk = Hunk(((" ", "def f0(x):"), ("-", "    return x + 0"), ("+", "    return x + 100")))
    yield FileEdited(FileEdit("a.py", "update", "udiff", (hunk,)))
    cancel.wait()


def test_stream(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    ticks = iter([0.0])  # started at 0 s, 12.5 s later ever after
    screen = StreamScreen(_events, title="make f0 return 100", output_price=0.28,
                          clock=lambda: next(ticks, 12.5))  # fmt: skip
    app = TomeApp(repo, lambda app: screen)

    async def streamed(pilot: Pilot[Any]) -> None:
        edits = screen.query_one("#edits", OptionList)
        deadline = time.monotonic() + 5
        while edits.option_count < 1 and time.monotonic() < deadline:
            await pilot.pause(0.01)  # poll: the worker posts from its thread
        screen._stats()

    assert snap_compare(app, run_before=streamed, terminal_size=SIZE)


EXPLAINED = (
    "f0 now returns 100: the callers wanted the larger value.\n\n```diff\n"
    + PATCH
    + "```\n\nRun the tests after applying.\n"
)


def test_review_explained_wide(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(repo, review=ReviewState.from_patch(repo, EXPLAINED, title="answer"))
    assert snap_compare(app, press=["n"], terminal_size=(160, 48))


def test_review_explained_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(repo, review=ReviewState.from_patch(repo, EXPLAINED, title="answer"))
    assert snap_compare(app, press=["w"], terminal_size=(80, 24))


def test_review_fix_failed_hunk_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_review(repo, FAILING), press=["n", "e"], terminal_size=(80, 24))


def test_compose_options_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    """The send options (f2) at 80x24: verify on with a typed test command (where each
    command comes from), rounds, git context; every row fits without scrolling."""
    app = make_app(repo, assistant=_Assistant(repo))

    async def typed(pilot: Pilot[Any]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("space", "tab", *"make check", "tab", "tab", "tab", "space", "tab")
        await pilot.press(*"v1.0")
        await pilot.pause()

    assert snap_compare(app, run_before=typed, terminal_size=(80, 24))


def test_compose_with_options_80x24(snap_compare, repo: Path) -> None:  # type: ignore[no-untyped-def]
    """Compose after the options were used: the options line under the reasoning line."""
    from tui.screens.compose import ComposeScreen
    from tui.screens.options import SendOptions

    app = make_app(repo, assistant=_Assistant(repo))

    async def chosen(pilot: Pilot[Any]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ComposeScreen)
        screen._options_chosen(SendOptions(max_rounds=3, verify=True, test_cmd="make check",
                                           diff=True, log=5))  # fmt: skip
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"rename f0 to zero")

    assert snap_compare(app, run_before=chosen, terminal_size=(80, 24))
