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
        (402, "Insufficient Balance", "pick another backend in Compose (ctrl+b)", "(--backend)"),
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
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert said in err and cli in err


def test_a_backend_without_a_model_says_where_to_set_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_backend(load_settings(project=tmp_path), name="ollama", env={})
    shown = error_text(caught.value)
    assert "set model under [backends.ollama]" in shown and "config.toml" in shown
    assert "--" not in shown
