"""The app's own machinery: the garbage collector around a run, and the key bar."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets._footer import FooterKey
from tuikit import PATCH, until

from tui.app import make_app
from tui.state import ReviewState
from tui.widgets.footer import Footer

pytestmark = pytest.mark.anyio


async def test_start_up_is_frozen_while_running_and_released_on_exit(repo: Path) -> None:
    thresholds = gc.get_threshold()
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() > 10_000  # Textual and the review, frozen once painted
        assert gc.get_threshold() == thresholds  # full collections are back on
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


class _CountedFooter(Footer):
    """tome's footer, counting what it heard (``heard``: asked to recompose) and what it
    did (``built``: composed key widgets), so that a test waits for the footer's answer to
    each refresh rather than for a number of frames."""

    heard = 0
    built = 0

    async def recompose(self) -> None:
        self.heard += 1
        await super().recompose()

    def compose(self) -> ComposeResult:
        self.built += 1
        yield from super().compose()


class _Keys(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("z", "zap", "Zap"),
        Binding("w", "wait", "Wait"),
    ]
    zap = True

    def compose(self) -> ComposeResult:
        yield _CountedFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "zap" and not self.zap else True

    def action_zap(self) -> None:
        pass

    def action_wait(self) -> None:
        pass


class _KeysApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(_Keys())


async def test_the_footer_is_rebuilt_only_when_its_keys_change() -> None:
    app = _KeysApp()
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, _Keys)
        footer = screen.query_one(_CountedFooter)

        def descriptions() -> list[str]:
            return [k.description for k in screen.query(FooterKey)][:2]

        await until(pilot, lambda: descriptions() == ["Zap", "Wait"], "the first keys")
        shown = list(screen.query(FooterKey))
        heard, built = footer.heard, footer.built
        screen.refresh_bindings()  # nothing changed: the same key widgets stay
        await until(pilot, lambda: footer.heard > heard, "the footer to hear the refresh")
        await pilot.pause()
        assert footer.built == built
        assert list(screen.query(FooterKey)) == shown
        screen.zap = False
        screen.refresh_bindings()

        def zap_disabled() -> bool:
            keys = list(screen.query(FooterKey))
            return bool(keys) and keys[0].has_class("-disabled")

        await until(pilot, zap_disabled, "the rebuilt keys")
        keys = list(screen.query(FooterKey))
        assert footer.built == built + 1
        assert keys != shown
        assert [(k.description, k.has_class("-disabled")) for k in keys][:2] == [
            ("Zap", True),
            ("Wait", False),
        ]
