"""Errors the TUI shows say what to do with the TUI's controls, never with a command-line
option; the CLI says it with its options. The backend's refusals come from the real fake
server (tests/fakeopenai.py); the repository holds a module of CPython's stdlib."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant import load_settings
from assistant.cli import main
from assistant.errors import ConfigError
from assistant.model import resolve_backend
from assistant.session import Assistant
from tui.advice import error_text
from tui.app import make_app
from tui.screens.stream import StreamScreen

BACKEND = "deepseek-v4-flash"


@pytest.fixture
def root(make_repo) -> Path:  # type: ignore[no-untyped-def]
    text = (Path(textwrap.__file__).parent / "colorsys.py").read_text(encoding="utf-8")
    return make_repo({"colors.py": text})


async def _tui_failure(root: Path, served: FakeOpenAI) -> str:
    settings = load_settings(project=root)
    backend = resolve_backend(settings, name=BACKEND, base_url=served.base_url)
    app = make_app(root, assistant=Assistant.open(root, backend=backend, settings=settings))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"explain colors", "ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StreamScreen) and screen.failed is not None
        return screen.failed


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "said", "tui", "cli"),
    [
        (402, "Insufficient Balance", "pick another backend in Compose (ctrl+n)", "(--backend)"),
        (404, "Model Not Exist", "fix model or base_url under [backends.", "(--model, --base-url)"),
    ],
)
async def test_a_refusal_advises_in_the_terms_of_each_front_end(
    fake_openai: FakeOpenAI,
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    status: int,
    said: str,
    tui: str,
    cli: str,
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")
    fake_openai.push(Reply(status=status, error=said), Reply(status=status, error=said))

    shown = await _tui_failure(root, fake_openai)
    assert said in shown and tui in shown
    assert "--" not in shown  # no command-line option inside the TUI

    argv = ["ask", "x", "-C", str(root), "--backend", BACKEND, "--base-url", fake_openai.base_url]
    assert main(argv) == 4  # a backend error (tome ask's exit codes)
    err = capsys.readouterr().err
    assert said in err and cli in err


def test_a_backend_without_a_model_says_where_to_set_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_backend(load_settings(project=tmp_path), name="ollama", env={})
    shown = error_text(caught.value)
    assert "set model under [backends.ollama]" in shown and "config.toml" in shown
    assert "--" not in shown


def test_an_undo_over_changed_files_advises_in_the_terms_of_each_front_end(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The library's refusal names no option: the CLI adds ``--force``, the TUI (which has
    no such switch) says what to do with the files instead."""
    from assistant import worktree
    from assistant.edits.failures import FileConflict

    root = make_repo({"a.txt": "a\n"})
    worktree.apply_changes(root, {"a.txt": "b\n"})
    (root / "a.txt").write_text("the user's own change\n")
    with pytest.raises(FileConflict) as caught:
        worktree.undo(root)
    assert caught.value.forcible and "--" not in str(caught.value)
    shown = error_text(caught.value)
    assert "changed again" in shown and "commit or revert those changes" in shown
    assert "--" not in shown

    assert main(["undo", "-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert "changed again" in err and "use --force to restore anyway" in err
    assert (root / "a.txt").read_text() == "the user's own change\n"  # nothing lost
