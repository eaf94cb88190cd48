"""Ask mode (``edits=False``, ``tome ask --no-edits``): a question, not a change.

The prompt asks for an explanation and carries no edit-format instructions; an answer that
holds a diff anyway is not parsed, so nothing can be applied or reviewed. Real fake server,
real git repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import RENAME, REPO, AssistantFactory

from assistant.cli import main
from assistant.edits import instructions
from assistant.errors import EditError
from assistant.session import NO_EDITS, SYSTEM, SYSTEM_ASK

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

DIFF = """greet builds the greeting; a rename would look like this:

```diff
--- a/app.py
+++ b/app.py
@@ -1,2 +1,2 @@
-def greet(name):
+def welcome(name):
     return "hi " + name
```
"""


def test_the_ask_prompt_has_no_edit_instructions_and_a_diff_in_the_answer_is_not_parsed(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(REPO)
    fake_openai.push(Reply(text=DIFF))
    assistant = make_assistant(root)
    result = assistant.ask("what does greet do?", edits=False)
    system = fake_openai.requests[0].messages[0]["content"]
    assert system == SYSTEM_ASK
    assert instructions(assistant.edit_format) not in system and SYSTEM not in system
    assert "<<<<<<<" not in system and "Do not propose edits" in system
    assert result.answer == DIFF
    assert len(result.changeset) == 0 and result.problems == ()
    assert result.edit_format == NO_EDITS
    assert assistant.load(result.session_id).edit_format == NO_EDITS
    with pytest.raises(EditError, match="nothing to apply"):
        assistant.apply(result)
    assert (root / "app.py").read_text() == REPO["app.py"]


def test_the_same_answer_in_edit_mode_is_parsed(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(REPO)
    fake_openai.push(Reply(text=DIFF))
    result = make_assistant(root).ask("rename greet")
    assert [f.path for f in result.changeset] == ["app.py"]  # the control: it is an edit


def _ask(fake: FakeOpenAI, root: Path, task: str, *extra: str) -> int:
    return main(["ask", task, "-C", str(root), "--base-url", fake.base_url, "--model", "m",
                 *extra])  # fmt: skip


def test_cli_no_edits_prints_the_answer_plain_in_a_pipe_and_review_says_it_has_no_edits(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(REPO)
    fake_openai.push(Reply(text=DIFF))
    assert _ask(fake_openai, root, "what does greet do?", "--no-edits") == 0
    out, err = capsys.readouterr()
    assert out == DIFF  # plain text, as sent
    assert "ask mode" in err
    sid = int(err.split("tome: session ")[1].split()[0])
    assert main(["review", "--session", str(sid), "-C", str(root)]) == 1
    _, err = capsys.readouterr()
    assert f"session {sid} asked a question" in err and "no edits to review" in err


def test_cli_no_edits_refuses_apply(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(REPO)
    assert _ask(fake_openai, root, "why?", "--no-edits", "--apply") == 2
    assert "no edits to --apply" in capsys.readouterr().err
    assert fake_openai.requests == []


def test_cli_continue_follows_up_on_the_latest_session(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME), Reply(text="Docs updated.\n"))
    assert _ask(fake_openai, root, "rename greet") == 0
    capsys.readouterr()
    assert _ask(fake_openai, root, "now also update the docs", "--continue") == 0
    out, err = capsys.readouterr()
    assert out == "Docs updated.\n" and "follow-up of session 1" in err
    one, two = (r.messages for r in fake_openai.requests)
    assert two[:2] == one and two[2]["content"] == RENAME
    assert two[3]["content"].endswith("now also update the docs")
    assert main(["history", "-C", str(root)]) == 0
    listing = capsys.readouterr().out
    assert "↳ #1 now also update the docs" in listing


def test_cli_continue_with_nothing_to_continue_says_so(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(REPO)
    assert _ask(fake_openai, root, "more", "--continue") == 2  # a usage error
    assert "nothing to continue" in capsys.readouterr().err
    assert _ask(fake_openai, root, "more", "--session", "1", "--include", "app.py") == 2
