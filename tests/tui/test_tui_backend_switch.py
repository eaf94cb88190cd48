"""Switching backend in Compose: the picker always names the backend in use, and the file
tree keeps what was included and excluded.

A switch resolves the new backend first (:meth:`Assistant.with_backend`) and swaps only
once that worked; the built-in ``openai-compatible`` preset names no model, so picking it
without one configured fails, as it would for a new user. The repository holds real code:
modules of CPython's stdlib.
"""

from __future__ import annotations

import shlex
import textwrap
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Select

from assistant.model import backend_names
from assistant.session import Assistant
from tui.app import TomeApp, make_app
from tui.screens.compose import ComposeScreen
from tui.widgets.budget_meter import BudgetMeter
from tui.widgets.file_tree import FileTree

pytestmark = pytest.mark.anyio
SIZE = (120, 40)
FIRST = "deepseek-v4-flash"


def _stdlib(name: str) -> str:
    return (Path(textwrap.__file__).parent / name).read_text(encoding="utf-8")


@pytest.fixture
def root(make_repo, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    for name in ("TOME_BACKEND", "TOME_MODEL", "TOME_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return make_repo(
        {
            "lib/wrap.py": _stdlib("textwrap.py"),
            "lib/colors.py": _stdlib("colorsys.py"),
            "split.py": (Path(shlex.__file__)).read_text(encoding="utf-8"),
        }
    )


def _app(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[TomeApp, list[str]]:
    app = make_app(root, assistant=Assistant.open(root, backend=FIRST))
    said: list[str] = []
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        said.append(f"{options.get('title', '')}: {message}")
        notify(message, **options)

    monkeypatch.setattr(app, "notify", record)
    return app, said


async def test_a_failed_switch_puts_the_picker_back_and_says_why(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, said = _app(root, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        window = compose.query_one(BudgetMeter).budget
        assert window is not None and window.window == 1_048_576
        picker = compose.query_one("#backend", Select)
        picker.value = "openai-compatible"  # listed, but names no model
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert picker.value == FIRST  # the picker shows the backend still in use
        assert compose.assistant.backend.name == FIRST
        assert app.assistant is not None and app.assistant.backend.name == FIRST
        budget = compose.query_one(BudgetMeter).budget
        assert budget is not None and budget.window == 1_048_576
        [told] = [s for s in said if s.startswith("cannot use openai-compatible")]
        assert "has no model id" in told and f"still using {FIRST}" in told


async def test_a_switch_keeps_the_include_and_exclude_choices(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, said = _app(root, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        tree = compose.query_one(FileTree)
        tree.focus()
        lib = tree.root.children[0]
        lib.expand()
        await pilot.pause()
        tree.move_cursor(lib.children[0])  # lib/colors.py
        await pilot.press("space")  # excluded
        await pilot.pause()
        assert tree.included_paths() == ["lib/wrap.py", "split.py"]
        excluded = compose.query_one(BudgetMeter).budget
        await pilot.press("ctrl+n")  # the next backend: deepseek-v4-pro
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert compose.assistant.backend.name == "deepseek-v4-pro"
        assert compose.query_one("#backend", Select).value == "deepseek-v4-pro"
        assert tree.included_paths() == ["lib/wrap.py", "split.py"]  # still excluded
        assert tree.root.children[0].is_expanded  # lib/ still open
        budget = compose.query_one(BudgetMeter).budget
        assert excluded is not None and budget is not None
        assert budget.tokens == excluded.tokens  # the same encoding, the same files
        assert not [s for s in said if s.startswith("cannot use")]


async def test_a_broken_backend_entry_is_listed_and_refused_when_picked(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.paths import config_dir

    user = config_dir() / "config.toml"  # the user's config: trusted, but incomplete
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text('[backends.mine]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n')
    app, said = _app(root, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        compose = app.screen
        assert isinstance(compose, ComposeScreen)  # opened, though one entry cannot be built
        picker = compose.query_one("#backend", Select)
        picker.value = "mine"
        await pilot.pause()
        assert picker.value == FIRST and compose.assistant.backend.name == FIRST
        [told] = [s for s in said if s.startswith("cannot use mine")]
        assert "[backends.mine]: missing 'window'" in told and f"still using {FIRST}" in told


async def test_the_backend_key_skips_backends_that_cannot_be_used_in_one_notice(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.paths import config_dir

    for name in ("TOME_BACKEND", "TOME_MODEL", "TOME_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    root = make_repo({"wrap.py": _stdlib("textwrap.py")})
    user = config_dir() / "config.toml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text(
        '[backends."gpt-4.1"]\nwindow = "large"\n\n'  # after deepseek-v4-pro, then
        '[backends.gpt-5]\nwindow = "large"\n\n'  # the reasoning preset after it, then
        '[backends.mine]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n'  # openai-compatible
    )
    app = make_app(root, assistant=Assistant.open(root, backend="deepseek-v4-pro"))
    said: list[str] = []
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        said.append(str(options.get("title", "")) or message)
        notify(message, **options)

    monkeypatch.setattr(app, "notify", record)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        names = backend_names(compose.assistant.settings)
        refused = names[names.index("deepseek-v4-pro") + 1 :]  # gpt-4.1, the local presets
        assert refused[:3] == ["gpt-4.1", "gpt-5", "openai-compatible"] and refused[-1] == "mine"
        # one press: past every backend that cannot be used, round to the first preset (at
        # 80x24 a toast each for the four model-less presets used to cover the screen)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert compose.assistant.backend.name == FIRST
        assert compose.query_one("#backend", Select).value == FIRST
        [notice] = said
        assert notice.startswith("skipped " + ", ".join(refused) + ": not usable"), notice
