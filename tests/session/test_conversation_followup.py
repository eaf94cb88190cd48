"""A conversation: a follow-up continues a session on the same prompt prefix.

The repository holds real code (modules of CPython's standard library); the model is the
real HTTP fake server, so the requests asserted on are what the openai SDK sent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import AssistantFactory

from assistant import tokens
from assistant.conversation import dropped_note
from assistant.errors import AssistantError, EditError

MODULES = ("colorsys.py", "bisect.py", "heapq.py")
TASK = "add type hints to rgb_to_yiq in colorsys.py"
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
DOCS = "Now the docstring says the channels are floats in [0, 1].\n"
ENCODING = "cl100k_base"


def _stdlib(name: str) -> str:
    return (Path(textwrap.__file__).parent / name).read_text(encoding="utf-8")


def _served(messages: list[dict[str, Any]]) -> int:
    texts = [m["content"] for m in messages if isinstance(m.get("content"), str)]
    return sum(tokens.count(t, ENCODING) for t in texts) + 4 * len(messages) + 3


@pytest.fixture
def root(make_repo) -> Path:  # type: ignore[no-untyped-def]
    return make_repo({name: _stdlib(name) for name in MODULES})


def test_a_follow_up_sends_the_first_prompt_byte_for_byte_then_the_answer_then_the_message(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=HINTS), Reply(text=DOCS))
    assistant = make_assistant(root)
    first = assistant.ask(TASK)
    second = assistant.ask("now also update the docs", continue_from=first.session_id)
    one, two = (r.messages for r in fake_openai.requests)
    assert two[:2] == one  # system and pack: the same bytes, so the prefix cache hits
    assert two[2] == {"role": "assistant", "content": HINTS}
    assert two[3] == {
        "role": "user",
        "content": "I did not apply your previous edits.\n\nnow also update the docs",
    }
    assert len(two) == 4
    assert second.parent_id == first.session_id and second.task == TASK
    assert second.message == two[3]["content"]
    assert assistant.load(second.session_id).message == second.message  # kept in history
    listed = {s.session_id: s for s in assistant.history()}
    assert listed[second.session_id].parent_id == first.session_id


def test_a_third_message_carries_the_whole_chain_and_extends_the_second_prompt(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text="The module converts colours.\n"), Reply(text=DOCS),
                     Reply(text="Done.\n"))  # fmt: skip
    assistant = make_assistant(root)
    first = assistant.ask("what does colorsys do?", edits=False)
    second = assistant.ask("and yiq?", continue_from=first, edits=False)
    assistant.ask("thanks; and hls?", continue_from=second.session_id, edits=False)
    _, two, three = (r.messages for r in fake_openai.requests)
    assert three[: len(two)] == two  # the whole second prompt is the third's prefix
    assert [m["content"] for m in three[2:]] == [
        "The module converts colours.\n", "and yiq?", DOCS, "thanks; and hls?",
    ]  # fmt: skip


def test_after_the_edits_are_applied_the_pack_is_rebuilt_and_the_message_says_what_changed(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=HINTS), Reply(text=DOCS))
    assistant = make_assistant(root)
    first = assistant.ask(TASK)
    first.changeset.accept_all()
    assistant.apply(first)
    (root / "notes.md").write_text("# notes\n", encoding="utf-8")
    plan = assistant.plan("now also update the docs", continue_from=first.session_id)
    message = plan.messages[-1]["content"]
    assert message.startswith(
        "I applied your previous edits. Files since my previous message (changed: "
        "colorsys.py; added: notes.md); the repository above shows them as they are now."
    )
    assert message.endswith("\n\nnow also update the docs")
    assert "-> tuple[float, float, float]" in plan.messages[1]["content"]  # packed as it is now


def test_the_oldest_exchanges_are_dropped_first_to_fit_the_window_with_a_note(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.count_prompt = _served
    long = "".join(f"Point {n}: the conversion keeps each channel in [0, 1].\n" for n in range(300))
    fake_openai.push(Reply(text=long), Reply(text=long), Reply(text="ok"))
    probe = make_assistant(root, window=10_000_000, encoding=ENCODING)
    base = probe.plan("explain colorsys", edits=False)
    answer_tokens = tokens.count(long, ENCODING)
    # room for the pack, one long exchange and the reserve, not two
    window = base.prompt_tokens + base.max_output + int(answer_tokens * 1.5)
    assistant = make_assistant(root, window=window, encoding=ENCODING)
    first = assistant.ask("explain colorsys", edits=False)
    assert first.manifest.budget is not None
    budget = first.manifest.budget
    second = assistant.ask("more", continue_from=first, edits=False)
    plan = assistant.plan("and more", continue_from=second, edits=False)
    assert plan.dropped == 1 and plan.fits
    assert plan.messages[-1]["content"] == f"{dropped_note(1)}\n\nand more"
    assert [m["role"] for m in plan.messages] == ["system", "user", "assistant", "user"]
    assert plan.message == "and more"  # recorded without the note
    assert plan.pack.budget == budget  # the same pack: the prefix stays
    list(assistant.send(plan))
    served = _served(fake_openai.requests[-1].messages)
    assert served + plan.max_output <= window
    assert served == plan.prompt_tokens


def test_a_follow_up_takes_no_paths_or_budget_of_its_own(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=HINTS))
    assistant = make_assistant(root)
    first = assistant.ask(TASK)
    with pytest.raises(EditError, match="packs what its conversation packed"):
        assistant.plan("more", continue_from=first, paths=["bisect.py"])


def test_a_follow_up_of_a_restricted_pack_packs_the_same_paths(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=HINTS), Reply(text=DOCS))
    assistant = make_assistant(root)
    first = assistant.ask(TASK, paths=["colorsys.py"])
    plan = assistant.plan("now the docs", continue_from=first)
    assert [f.path for f in plan.pack.files] == ["colorsys.py"]
    assert plan.messages[:2] == tuple(fake_openai.requests[0].messages)


def test_a_send_back_of_a_follow_up_keeps_the_conversation(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text="It converts colours.\n"), Reply(text=HINTS), Reply(text="ok"))
    assistant = make_assistant(root)
    first = assistant.ask("what does colorsys do?")
    second = assistant.ask(TASK, continue_from=first)
    third = next(iter([e for e in assistant.resend(second, {"colorsys.py": "keep r g b"})][-1:]))
    msgs = fake_openai.requests[-1].messages
    assert msgs[: len(fake_openai.requests[1].messages)] == fake_openai.requests[1].messages
    assert msgs[-2] == {"role": "assistant", "content": HINTS}
    assert "keep r g b" in msgs[-1]["content"]
    result = third.result  # type: ignore[attr-defined]
    assert result.parent_id == second.session_id and result.message == msgs[-1]["content"]


def test_a_session_without_an_answer_cannot_be_followed_up(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(status=500, error="down"), Reply(status=500, error="down"),
                     Reply(status=500, error="down"))  # fmt: skip
    assistant = make_assistant(root)
    with pytest.raises(AssistantError):  # the server keeps failing: no answer
        assistant.ask(TASK)
    (failed,) = assistant.history()
    with pytest.raises(EditError, match="no answer to follow up on"):
        assistant.plan("more", continue_from=failed.session_id)
