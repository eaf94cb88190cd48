"""Shared values for the TUI tests: a small repository, a patch against it, screen text."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fakeopenai import FakeOpenAI
from modelkit import backend_for
from textual.app import App

from assistant.model import Client, ClientOptions, RetryPolicy, Timeouts
from assistant.session import Assistant

QUICK = ClientOptions(
    retry=RetryPolicy(max_retries=1, base=0.001, cap=1.0),
    timeouts=Timeouts(connect=2.0, read=5.0, read_per_mtok=0.0),
    max_continuations=1,
)
"""Client options for a TUI test against the fake server: one quick retry, one continuation."""


@contextmanager
def quick_assistant(root: Path, fake: FakeOpenAI) -> Iterator[Assistant]:
    """An assistant on ``root`` asking ``fake`` (cl100k counts, continuation by message), with
    :data:`QUICK` options and no real sleeps; its client closed after."""
    backend = backend_for(fake, encoding="cl100k_base", continuation="message")
    client = Client(backend, options=QUICK, sleep=lambda _: None)
    try:
        yield Assistant.open(root, client=client)
    finally:
        client.close()


A_PY = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(40))
B_TXT = "one\ntwo\nthree\n"

# a repository and a model's answer for the session tests (the ``greet_assistant`` fixture)
GREET_APP = (
    'def greet(name):\n    return "hi " + name\n\n\ndef main():\n    print(greet("world"))\n'
)
GREET_UTIL = "def add(a, b):\n    return a + b\n"
GREET_REPO = {"app.py": GREET_APP, "util.py": GREET_UTIL, "README.md": "# demo\n"}


def search_replace(path: str, old: str, new: str) -> str:
    """One SEARCH/REPLACE block of a model's answer, fenced under its path."""
    return f"{path}\n```python\n<<<<<<< SEARCH\n{old}\n=======\n{new}\n>>>>>>> REPLACE\n```\n"


RENAME_GREET = search_replace("app.py", "def greet(name):", "def welcome(name):")
TYPE_ADD = search_replace("util.py", "def add(a, b):", "def add(a: int, b: int) -> int:")

PATCH = "\n".join(
    [
        "--- a/a.py",
        "+++ b/a.py",
        "@@ -1,3 +1,3 @@",
        " def f0(x):",
        "-    return x + 0",
        "+    return x + 100",
        " ",
        "@@ -31,3 +31,4 @@",
        " def f10(x):",
        "-    return x + 10",
        "+    return x * 10",
        "+    # changed",
        " ",
        "--- a/b.txt",
        "+++ b/b.txt",
        "@@ -1,3 +1,3 @@",
        " one",
        "-two",
        "+TWO",
        " three",
        "",
    ]
)


def screen_text(app: App[object]) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


async def until(
    pilot: Any, condition: Callable[[], bool], what: str, timeout: float = 20.0
) -> None:
    """Let the app run until ``condition()`` holds (checked after each pause), or fail saying
    ``what`` was waited for. A wait for a condition, not a sleep: under load it takes longer,
    idle it returns at the first frame that shows it."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        await pilot.pause(0.01)
