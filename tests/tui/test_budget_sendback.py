"""``s`` in Review (send the rejected hunks back) works after a first request whose pack
filled the window: the send-back is budgeted to fit; and when it cannot fit, the TUI says
what to do with its own controls. Against the real fake server, which counts each prompt
with the backend's tokenizer; the repository holds modules of CPython's stdlib."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import backend_for

from assistant import tokens
from assistant.model import Client, ClientOptions, RetryPolicy, Timeouts
from assistant.session import Assistant
from tui.app import make_app
from tui.screens.stream import StreamScreen
from tui.state import ReviewState

pytestmark = pytest.mark.anyio
MODULES = ("colorsys.py", "textwrap.py", "shlex.py", "fnmatch.py", "bisect.py", "heapq.py")
TASK = "add type hints to rgb_to_yiq in colorsys.py"
ENCODING = "cl100k_base"
FAST = ClientOptions(
    retry=RetryPolicy(max_retries=0), timeouts=Timeouts(connect=2.0, read=5.0, read_per_mtok=0.0)
)
ANSWER = "".join(
    f"Step {n}: rgb_to_yiq takes three floats in [0, 1] and returns three floats.\n"
    for n in range(1, 121)
) + (
    "\ncolorsys.py\n```python\n<<<<<<< SEARCH\ndef rgb_to_yiq(r, g, b):\n=======\n"
    "def rgb_to_yiq(r: float, g: float, b: float) -> tuple[float, float, float]:\n"
    ">>>>>>> REPLACE\n```\n"
)


def _stdlib(name: str) -> str:
    return (Path(textwrap.__file__).parent / name).read_text(encoding="utf-8")


def _served(messages: list[dict[str, Any]]) -> int:
    texts = [m["content"] for m in messages if isinstance(m.get("content"), str)]
    return sum(tokens.count(t, ENCODING) for t in texts) + 4 * len(messages) + 3


@pytest.fixture
def root(make_repo) -> Path:  # type: ignore[no-untyped-def]
    return make_repo({name: _stdlib(name) for name in MODULES})


@pytest.fixture
def clients() -> Iterator[list[Client]]:
    made: list[Client] = []
    yield made
    for client in made:
        client.close()


def _assistant(root: Path, fake: FakeOpenAI, clients: list[Client], window: int) -> Assistant:
    backend = backend_for(fake, encoding=ENCODING, continuation="message", window=window)
    client = Client(backend, options=FAST, sleep=lambda _: None)
    clients.append(client)
    return Assistant.open(root, client=client)


async def _send_back(assistant: Assistant, task: str, paths: list[str] | None) -> StreamScreen:
    result = assistant.ask(task, paths=paths)
    app = make_app(assistant.root, review=ReviewState.for_result(assistant, result),
                   assistant=assistant)  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x")  # reject the hunk on screen
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StreamScreen)  # the answer holds no edits: it stays
        return screen


async def test_s_after_a_pack_that_filled_the_window_sends_a_request_that_fits(
    root: Path, fake_openai: FakeOpenAI, clients: list[Client]
) -> None:
    fake_openai.count_prompt = _served
    fake_openai.push(Reply(text=ANSWER), Reply(text="Nothing more to change.\n"))
    whole = _assistant(root, fake_openai, clients, 10_000_000).plan(TASK)
    window = whole.max_output + int(whole.prompt_tokens * 0.6)  # the first pack must cut
    assistant = _assistant(root, fake_openai, clients, window)

    screen = await _send_back(assistant, TASK, None)

    assert screen.failed is None and screen.done
    _first, again = fake_openai.requests
    assert _served(again.messages) + again.body["max_tokens"] <= window
    assert _stdlib("colorsys.py") in again.messages[1]["content"]  # the file concerned, whole
    assert "Reason:" in again.messages[-1]["content"]


async def test_s_that_cannot_fit_says_what_to_do_in_tui_terms(
    root: Path, fake_openai: FakeOpenAI, clients: list[Client]
) -> None:
    fake_openai.push(Reply(text=ANSWER * 4))
    only = _assistant(root, fake_openai, clients, 10_000_000).plan(TASK, paths=["/colorsys.py"])
    window = only.prompt_tokens + only.max_output + 1_000  # holds the ask, not its answer
    assistant = _assistant(root, fake_openai, clients, window)

    screen = await _send_back(assistant, TASK, ["/colorsys.py"])

    assert len(fake_openai.requests) == 1  # nothing more was sent
    assert screen.failed is not None and "send back fewer hunks" in screen.failed
    assert "ctrl+n" in screen.failed and "--" not in screen.failed
