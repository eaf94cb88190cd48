"""``tome ask --review`` opens the review with the assistant the command opened: the
backend named on the command line (``--base-url``, ``--model``), not the configured
default, so a send-back from the review goes where the request went."""

from __future__ import annotations

import pytest
from fakeopenai import FakeOpenAI, Reply
from tuikit import RENAME_GREET

from assistant.cli import main
from assistant.session import Assistant
from tui import app as tui_app

ANSWER = f"Renamed.\n\n{RENAME_GREET}"

# the generic backend counts with o200k_base, which this machine lacks offline (it warns once)
pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def test_the_review_asks_the_backend_the_command_named(
    fake_openai: FakeOpenAI, greet_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TOME_BACKEND", "TOME_MODEL", "TOME_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    root = greet_assistant.root
    opened: list[Assistant | None] = []

    def run(self: tui_app.TomeApp, *_: object, **__: object) -> int:
        opened.append(self.assistant)  # the app as built, without drawing it
        return 0

    monkeypatch.setattr(tui_app.TomeApp, "run", run)
    monkeypatch.setattr("assistant.cli._ui.not_terminals", lambda: [])  # as in a terminal
    fake_openai.push(Reply(text=ANSWER))
    argv = ["ask", "rename greet", "-C", str(root), "--base-url", fake_openai.base_url]
    assert main([*argv, "--model", "m", "--review"]) == 0
    [assistant] = opened
    assert assistant is not None
    assert assistant.backend.base_url == fake_openai.base_url  # not deepseek's
    assert (assistant.backend.name, assistant.backend.model) == ("openai-compatible", "m")
