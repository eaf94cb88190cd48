"""``tome`` (the TUI) with a configuration it cannot use: one line on stderr saying what is
wrong, exit code 1, and nothing drawn (the assistant is opened before the app runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.paths import config_dir
from tui import app as tui_app

FILES = {"mod.py": "def greet(name):\n    return f'hello {name}'\n"}


@pytest.fixture(autouse=True)
def _never_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    def drawn(self: object, *_: object, **__: object) -> int:
        raise AssertionError("the app ran although the configuration is unusable")

    monkeypatch.setattr(tui_app.TomeApp, "run", drawn)
    for name in ("TOME_BACKEND", "TOME_MODEL", "TOME_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_an_unknown_backend_is_named_with_the_choices(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root: Path = make_repo(FILES)
    monkeypatch.setenv("TOME_BACKEND", "nope")
    assert tui_app.run(root) == 1
    err = capsys.readouterr().err
    assert err.startswith("tome: error: unknown backend 'nope'; choose one of: ")
    assert "deepseek-v4-flash" in err and err.count("\n") == 1


def test_a_bad_user_config_is_named_with_its_file(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root: Path = make_repo(FILES)
    user = config_dir() / "config.toml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("max_retries = -3\n")
    assert tui_app.run(root / ".") == 1
    err = capsys.readouterr().err
    assert err.startswith("tome: error: ") and "max_retries" in err and "-3" in err
    assert err.count("\n") == 1
