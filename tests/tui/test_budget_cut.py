"""A pack larger than the window is cut to fit, and both front ends say what was cut before
sending (files whole, as skeletons, omitted); the figures agree to the token across the
Compose meter, ``tome ask``'s estimate, the request the server receives and ``tome history``.

Against the real fake server (tests/fakeopenai.py), which counts each received prompt with
the backend's tokenizer and a chat template's framing. The repository holds real code:
modules of CPython's standard library.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant import load_settings, tokens
from assistant.cli import main
from assistant.model import resolve_backend
from assistant.session import Assistant
from tui.app import make_app
from tui.screens.compose import ComposeScreen
from tui.screens.stream import StreamScreen
from tui.widgets.budget_meter import BudgetMeter, describe

BACKEND = "deepseek-v4-flash"
MODULES = ("colorsys.py", "textwrap.py", "shlex.py", "fnmatch.py", "bisect.py", "heapq.py")
TASK = "add type hints to the public functions of textwrap.py"
RESERVE = 32_768 + 32_768  # the answer's 32K, and 32K for DeepSeek's default reasoning
ESTIMATE = re.compile(
    r"prompt ([\d,]+) tokens \(\+ up to ([\d,]+) out(?:, reasoning \(\w+\) included)?\)"
)
PACKED = re.compile(
    r"tome: pack ([\d,]+) tokens, cut to fit the window \(([\d,]+) tokens\): "
    r"((\d+) of (\d+) files whole, (\d+) as skeletons, (\d+) omitted)\n"
)


def _stdlib(name: str) -> str:
    return (Path(textwrap.__file__).parent / name).read_text(encoding="utf-8")


def _served(messages: list[dict[str, Any]]) -> int:
    texts = [m["content"] for m in messages if isinstance(m.get("content"), str)]
    return sum(tokens.count(t, "deepseek-v4") for t in texts) + 4 * len(messages) + 3


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _window() -> int:
    """A window that holds the output reserve and about half of the files."""
    return RESERVE + sum(tokens.count(_stdlib(name), "deepseek-v4") for name in MODULES) // 2


@pytest.fixture
def root(make_repo) -> Path:  # type: ignore[no-untyped-def]
    root: Path = make_repo({name: _stdlib(name) for name in MODULES})
    (root / ".tome.toml").write_text(f"[backends.{BACKEND}]\nwindow = {_window()}\n")
    return root


@pytest.fixture
def served(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")
    fake_openai.count_prompt = _served
    fake_openai.default = Reply(text="Nothing to change.\n")
    return fake_openai


@pytest.mark.anyio
async def test_what_was_cut_is_said_before_sending_and_every_figure_agrees(
    served: FakeOpenAI,
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["ask", TASK, "-C", str(root), "--backend", BACKEND, "--base-url", served.base_url]
    assert main(argv) == 0
    err = capsys.readouterr().err
    estimate, packed = ESTIMATE.search(err), PACKED.search(err)
    assert estimate is not None and packed is not None, err
    prompt, reserve = _int(estimate[1]), _int(estimate[2])
    pack_tokens, budget, cut = _int(packed[1]), _int(packed[2]), packed[3]
    whole, files, skeletons, omitted = (int(packed[i]) for i in range(4, 8))
    assert files == len(MODULES) + 1 and whole + skeletons + omitted == files  # + .tome.toml
    assert whole < files and pack_tokens <= budget
    assert err.index("tome: pack") < err.index("usage:")  # said before the answer's account
    [request] = served.requests
    assert (_served(request.messages), request.body["max_tokens"]) == (prompt, reserve)
    assert prompt + reserve <= _window()  # it fits

    # tome history lists the same figure, labelled as the pack's
    assert main(["history", "-C", str(root)]) == 0
    assert f"pack {pack_tokens:>9,} tok" in capsys.readouterr().out
    assert main(["history", "--json", "-C", str(root)]) == 0
    [session] = json.loads(capsys.readouterr().out)["sessions"]
    assert session["tokens"] == pack_tokens

    # the TUI: the meter before planning, the notice when sending, the request
    settings = load_settings(project=root)
    backend = resolve_backend(settings, name=BACKEND, base_url=served.base_url)
    app = make_app(root, assistant=Assistant.open(root, backend=backend, settings=settings))
    said: list[tuple[str, str]] = []
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        said.append((str(options.get("title", "")), str(message)))
        notify(message, **options)

    monkeypatch.setattr(app, "notify", record)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        estimated = compose.query_one(BudgetMeter).budget
        assert estimated is not None and not estimated.planned and estimated.fraction > 1
        assert "over the window: sending cuts the pack to fit" in describe(estimated)
        await pilot.press(*TASK, "ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StreamScreen)
        planned = compose.query_one(BudgetMeter).budget
        assert planned is not None and planned.planned
    assert ("the pack was cut to fit the window", cut) in said
    assert (planned.tokens, planned.output, planned.cut) == (prompt, reserve, cut)
    assert f"cut to fit:[/] {cut}" in describe(planned)
    tui_request = served.requests[1]
    assert tui_request.messages == request.messages  # the same prompt, byte for byte
    assert tui_request.body["max_tokens"] == reserve
