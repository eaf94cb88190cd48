"""A session with a model that reasons, against the real fake server: the reasoning comes as
its own events and is never parsed for edits (a diff in it makes no edit), a send-back goes
back without it (the server refuses ``reasoning_content`` in the input, as deepseek-reasoner
does), and its tokens are recorded and priced in the history. The repository holds real code:
``colorsys.py`` of CPython's standard library.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import AssistantFactory

from assistant.session import Finished, ReasoningDelta, TextDelta, hunk_key

COLORSYS = (Path(textwrap.__file__).parent / "colorsys.py").read_text(encoding="utf-8")
TASK = "add type hints to rgb_to_yiq in colorsys.py"
# The reasoning drafts edits of its own, in both formats the parser reads: none may be used.
THOUGHTS = """The user wants hints. A first idea, which I will not give:

colorsys.py
```python
<<<<<<< SEARCH
def rgb_to_yiq(r, g, b):
=======
def rgb_to_yiq(r, g, b):  # DRAFTED IN THE REASONING
>>>>>>> REPLACE
```

--- a/colorsys.py
+++ b/colorsys.py
@@ -40,1 +40,1 @@
-def rgb_to_yiq(r, g, b):
+def rgb_to_yiq(r, g, b):  # ALSO DRAFTED IN THE REASONING

Better: real hints on the signature.
"""
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


@pytest.fixture
def root(make_repo) -> Path:  # type: ignore[no-untyped-def]
    return make_repo({"colorsys.py": COLORSYS})  # type: ignore[no-any-return]


def test_a_diff_in_the_reasoning_makes_no_edit(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text="Nothing needs to change.\n", reasoning=THOUGHTS))
    events = list(make_assistant(root).stream(TASK))
    thought = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert thought == THOUGHTS
    assert (
        "".join(e.text for e in events if isinstance(e, TextDelta)) == "Nothing needs to change.\n"
    )
    result = events[-1].result  # type: ignore[union-attr]
    assert not len(result.changeset) and not result.problems
    assert "DRAFTED" not in result.answer


def test_only_the_answers_edits_are_used_when_both_hold_one(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=HINTS, reasoning=THOUGHTS))
    result = make_assistant(root).ask(TASK)
    result.changeset.accept_all()
    [edited] = list(result.changeset)
    assert len(edited.hunks) == 1
    assert "DRAFTED" not in edited.diff() and "-> tuple[float, float, float]" in edited.diff()


def test_a_send_back_sends_the_answer_without_its_reasoning(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.refuse_reasoning_input = True  # 400 if reasoning_content came back
    fake_openai.push(
        Reply(text=HINTS, reasoning=THOUGHTS), Reply(text="Done.\n", reasoning="Use a tuple.")
    )
    assistant = make_assistant(root, window=10_000_000)
    events = list(assistant.stream(TASK))
    assert any(isinstance(e, ReasoningDelta) for e in events)
    first = events[-1].result  # type: ignore[union-attr]

    again = list(assistant.resend(first, {hunk_key("colorsys.py", 1): "use a NamedTuple"}))

    second = again[-1]
    assert isinstance(second, Finished) and second.result.answer == "Done.\n"
    sent, resent = fake_openai.requests
    assert resent.messages[:2] == sent.messages  # the same prefix: the cache hits
    assert resent.messages[2] == {"role": "assistant", "content": HINTS}
    assert not any("reasoning_content" in m for m in resent.messages)


def test_reasoning_tokens_are_recorded_and_priced_in_the_history(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(
        Reply(
            text=HINTS,
            reasoning=THOUGHTS,
            prompt_tokens=2_000,
            completion_tokens=900,
            reasoning_tokens=700,
        )
    )
    assistant = make_assistant(root)
    result = assistant.ask(TASK)
    assert result.usage is not None and result.usage.reasoning_tokens == 700
    loaded = assistant.load(result.session_id)
    assert loaded.usage == result.usage
    [listed] = assistant.history()
    expected = (2_000 * 0.14 + 900 * 0.28) / 1e6  # reasoning inside the 900 output tokens
    assert listed.cost == pytest.approx(expected) == result.cost


def test_the_reasoning_is_stored_with_the_answer_and_a_follow_up_sends_none_of_it(
    root: Path, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    fake_openai.refuse_reasoning_input = True  # 400 if reasoning_content came back
    fake_openai.push(Reply(text=HINTS, reasoning=THOUGHTS), Reply(text="Docs.\n", reasoning="Hm."))
    assistant = make_assistant(root, window=10_000_000)
    first = assistant.ask(TASK)
    assert first.reasoning == THOUGHTS
    assert assistant.load(first.session_id).reasoning == THOUGHTS  # history schema 6
    follow = assistant.ask("now also the docstring", continue_from=first.session_id)
    assert follow.answer == "Docs.\n" and assistant.load(follow.session_id).reasoning == "Hm."
    sent = fake_openai.requests[-1].messages
    assert {"role": "assistant", "content": HINTS} in sent
    assert not any("reasoning_content" in m or THOUGHTS in str(m["content"]) for m in sent)
