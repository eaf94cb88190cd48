"""Every key of every screen is one a terminal delivers as itself, none of them types into
the text box that has the focus, and the help overlay shows each key as the footer does
(issue 13: ``^h History`` was Backspace in every terminal, and the help said ``h``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI
from modelkit import backend_for
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Input, TextArea
from textual.widgets._footer import FooterKey
from tuikit import PATCH, screen_text

import tui
from assistant.model import Client
from assistant.session import Assistant
from tui.app import make_app
from tui.screens.compose import ComposeScreen
from tui.screens.help import HelpScreen, bindings_of, help_sections
from tui.screens.reason import ReasonScreen
from tui.state import ReviewState

pytestmark = pytest.mark.anyio

# What a terminal sends for these is another key's byte (Backspace, Tab, Enter, Enter,
# Escape, NUL), or tmux and screen take it first.
UNDELIVERABLE = {
    "ctrl+h": "Backspace (0x08)",
    "ctrl+i": "Tab (0x09)",
    "ctrl+m": "Enter (0x0d)",
    "ctrl+j": "Enter/newline (0x0a)",
    "ctrl+left_square_bracket": "Escape (0x1b)",
    "ctrl+at": "NUL",
    "ctrl+b": "tmux's prefix",
}


def _tui_classes() -> Iterator[type[DOMNode]]:
    """Every app, screen and widget class defined in ``tui``."""
    for info in pkgutil.walk_packages(tui.__path__, "tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                yield cls


def _keys(owner: type[DOMNode]) -> list[tuple[str, Binding]]:
    return [(k.strip(), b) for b in bindings_of(owner) for k in b.key.split(",")]


def test_the_classes_are_found() -> None:
    names = {cls.__name__ for cls in _tui_classes()}
    assert {"TomeApp", "ComposeScreen", "ReviewScreen", "HistoryScreen", "FileTree"} <= names


@pytest.mark.parametrize("owner", list(_tui_classes()), ids=lambda cls: cls.__name__)
def test_no_key_is_one_a_terminal_sends_as_another(owner: type[DOMNode]) -> None:
    bad = [(key, UNDELIVERABLE[key]) for key, _ in _keys(owner) if key in UNDELIVERABLE]
    assert not bad, f"{owner.__name__} binds keys a terminal cannot send as themselves: {bad}"


@pytest.mark.parametrize("owner", [ComposeScreen, ReasonScreen], ids=lambda c: c.__name__)
def test_a_screen_with_a_text_box_binds_no_key_that_types(owner: type[DOMNode]) -> None:
    """Compose's task box and the reason box hold the focus: a printable key types there."""
    typed = [key for key, _ in _keys(owner) if len(key) == 1 or key in ("space", "question_mark")]
    assert not typed, f"{owner.__name__}: {typed} would type into the text box"


def _footer(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The footer's keys as drawn: key as shown -> its label."""
    return {k.key_display: k.description for k in app.screen.query(FooterKey)}


def _section(app, title: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return dict(help_sections(app.get_key_display))[title]


async def test_the_reviews_footer_and_help_show_the_same_keys(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = _footer(app)
        rows = _section(app, "Review")
        shown_in_help = {key for keys, _ in rows for key in keys.split(", ")}
        assert {"n", "y", "x", "d", "⏎", "u", "c", "?", "q"} <= set(footer)
        missing = set(footer) - shown_in_help - {"^p"}  # ^p: Textual's command palette
        assert not missing, (missing, rows)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Everywhere" not in text[: text.index("Review")]  # the screen's own keys first
        assert "y, space" in text and "accept the hunk" in text


@pytest.fixture
def compose_app(make_repo, fake_openai: FakeOpenAI) -> Iterator[tuple[Assistant, Client]]:  # type: ignore[no-untyped-def]
    root = make_repo({"a.py": "def f(x):\n    return x\n"})
    client = Client(backend_for(fake_openai, encoding="cl100k_base"), sleep=lambda _: None)
    yield Assistant.open(root, client=client), client
    client.close()


async def test_composes_keys_work_in_the_task_box(compose_app: tuple[Assistant, Client]) -> None:
    assistant, _ = compose_app
    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)
        assert isinstance(app.focused, TextArea)  # the task box: keys here must not type
        footer = _footer(app)
        # every key of Compose fits at 80 columns, Quit included, and none is ^h or ^b
        assert list(footer) == ["^s", "^n", "^t", "^r", "^f", "^o", "^g", "^q"], footer
        rows = dict(_section(app, "Compose"))
        for key in footer:
            assert key in rows, (key, rows)
        await pilot.press("w", "h", "y")
        await pilot.press("ctrl+g")  # help from inside the task box
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Compose" in text and "past sessions" in text
        await pilot.press("end")  # at 80x24 Review's keys are further down
        await pilot.pause()
        assert "Review" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("ctrl+o")
        assert type(app.screen).__name__ == "HistoryScreen"
        await pilot.press("escape")
        assert isinstance(app.screen, ComposeScreen)
        assert app.screen.query_one("#task", TextArea).text == "why"  # no key typed or deleted


async def test_the_reason_box_has_the_focus(repo: Path) -> None:
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen) and isinstance(app.focused, Input)


async def test_space_in_the_tree_acts_on_the_first_row_before_any_move(
    compose_app: tuple[Assistant, Client],
) -> None:
    """Tabbed into the tree, the cursor is on no row yet (Textual's start): space must not
    be a key that silently does nothing."""
    from tui.widgets.file_tree import FileTree

    assistant, _ = compose_app
    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        tree = app.screen.query_one(FileTree)
        tree.focus()
        await pilot.press("space")
        assert [f.included for f in tree.entry.files()] == [False]
