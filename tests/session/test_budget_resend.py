"""A send-back (rejected hunks to the model) is budgeted to fit the window.

When the first request's pack filled the window, the previous answer and the feedback on
top of it cannot fit: the send-back re-packs into what the window has left, keeping the
files the rejected hunks touch whole, or sends only those files. The request the real fake
server receives is counted by the server with the backend's tokenizer and a chat template's
framing, and must fit with its ``max_tokens``. The repository holds real code: modules of
CPython's standard library.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import AssistantFactory

from assistant import tokens
from assistant.errors import ContextLengthError
from assistant.session import Finished, hunk_key
from tui.advice import error_text

MODULES = ("colorsys.py", "textwrap.py", "shlex.py", "fnmatch.py", "bisect.py", "heapq.py")
TASK = "add type hints to rgb_to_yiq in colorsys.py"
ENCODING = "cl100k_base"
HINTS = """I add the hints.

colorsys.py
```python
<<<<<<< SEARCH
def rgb_to_yiq(r, g, b):
=======
def rgb_to_yiq(r: float, g: float, b: float) -> tuple[float, float, float]:
>>>>>>> REPLACE
```
"""

EXPLAINED = "".join(
    f"Step {n}: rgb_to_yiq converts one colour; the hints say each channel is a float in "
    "[0, 1] and the result is a tuple of three floats, as the module's docstring says.\n"
    for n in range(1, 121)
)


def _stdlib(name: str) -> str:
    return (Path(textwrap.__file__).parent / name).read_text(encoding="utf-8")


def _served(messages: list[dict[str, Any]]) -> int:
    texts = [m["content"] for m in messages if isinstance(m.get("content"), str)]
    return sum(tokens.count(t, ENCODING) for t in texts) + 4 * len(messages) + 3


@pytest.fixture
def root(make_repo) -> Path:  # type: ignore[no-untyped-def]
    return make_repo({name: _stdlib(name) for name in MODULES})


def _window_filled_by_the_first_pack(root: Path, make_assistant: AssistantFactory) -> int:
    """A window whose first pack must leave files out: 60% of what the whole tree takes."""
    probe = make_assistant(root, window=10_000_000)
    whole = probe.plan(TASK)
    assert whole.pack.tiers["omitted"] == whole.pack.tiers["skeleton"] == 0
    return whole.max_output + int(whole.prompt_tokens * 0.6)


def test_a_send_back_after_a_pack_that_filled_the_window_is_repacked_to_fit(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.count_prompt = _served
    answer = EXPLAINED + HINTS
    fake_openai.push(Reply(text=answer), Reply(text="Done.\n"))
    window = _window_filled_by_the_first_pack(root, make_assistant)
    assistant = make_assistant(root, window=window)
    first = assistant.ask(TASK)
    budget = first.manifest.budget
    assert budget is not None and any(e.tier != "full" for e in first.manifest.entries)
    # the first pack filled the window: what it left free cannot hold the answer
    assert budget - first.manifest.tokens < tokens.count(answer, ENCODING)

    events = list(assistant.resend(first, {hunk_key("colorsys.py", 1): "use a NamedTuple"}))

    second = events[-1]
    assert isinstance(second, Finished) and second.result.parent_id == first.session_id
    _, got = fake_openai.requests
    prompt = _served(got.messages)
    assert prompt + got.body["max_tokens"] <= window  # the request fits the window
    assert second.result.usage is not None and second.result.usage.prompt_tokens == prompt
    _system, user, said, followup = got.messages
    assert _stdlib("colorsys.py") in user["content"]  # the file concerned, whole
    assert said["content"] == first.answer and "Reason: use a NamedTuple" in followup["content"]


def test_a_send_back_that_fits_keeps_the_first_prompt_as_its_prefix(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.count_prompt = _served
    fake_openai.push(Reply(text=HINTS), Reply(text="Done.\n"))
    assistant = make_assistant(root, window=10_000_000)
    first = assistant.ask(TASK)

    list(assistant.resend(first, {"colorsys.py": "use a NamedTuple"}))

    sent, again = fake_openai.requests
    assert again.messages[:2] == sent.messages  # byte for byte: the provider's cache hits
    assert len(again.messages) == 4


def test_a_send_back_that_cannot_fit_says_so_in_tui_terms_and_is_recorded(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=HINTS + "\n" + "A long explanation. " * 3_000))
    probe = make_assistant(root, window=10_000_000)
    plan = probe.plan(TASK, paths=["/colorsys.py"])
    # the first request fits; its long answer and the feedback can never fit on top of it
    assistant = make_assistant(root, window=plan.prompt_tokens + plan.max_output + 5_000)
    first = assistant.ask(TASK, paths=["/colorsys.py"])

    with pytest.raises(ContextLengthError) as caught:
        list(assistant.resend(first, {hunk_key("colorsys.py", 1): "no"}))

    assert len(fake_openai.requests) == 1  # nothing was sent
    assert caught.value.followup and "send back fewer hunks" in str(caught.value)
    shown = error_text(caught.value)
    assert "--" not in shown and "Compose tree" not in shown
    child, _parent = assistant.history()
    assert child.status == "failed" and child.parent_id == first.session_id
