"""Issue 14's sentences that had no test of their own, from the CLI on a real temp repository
with the fake server: a hunk refused as ambiguous goes back with the other matching places;
the default is two repair rounds; ``--lint-cmd`` runs a real linter in the scratch checkout
and its findings go back as a round."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

TWICE = (
    "def first(items):\n    for item in items:\n        print(item)\n\n\n"
    "def second(items):\n    for item in items:\n        print(item)\n"
)


def _block(path: str, search: str, replace: str) -> str:
    return f"{path}\n```python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


def _ask(fake: FakeOpenAI, root: Path, *extra: str) -> int:
    return main(["ask", "log the items", "-C", str(root), "--base-url", fake.base_url,
                 "--model", "m", *extra])  # fmt: skip


def test_an_ambiguous_hunk_goes_back_with_the_other_places_and_round_two_places_it(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"show.py": TWICE})
    loop = "    for item in items:\n        print(item)\n"
    vague = _block("show.py", loop, loop.replace("print(item)", "print('-', item)"))
    exact = _block("show.py", "def second(items):\n" + loop,
                   "def second(items):\n" + loop.replace("print(item)", "print('-', item)"))  # fmt: skip
    fake_openai.push(Reply(text=vague), Reply(text=exact))

    assert _ask(fake_openai, root, "--apply", "--yes", "--json") == 0

    followup = fake_openai.requests[1].messages[-1]["content"]
    assert "occur 2 times (at lines 2, 7); refusing to guess" in followup
    assert (
        "The same lines are at: line 2, in `def first(items):` (line 1); "
        "line 7, in `def second(items):` (line 6)." in followup
    )
    assert "matches exactly one place" in followup
    doc = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert [(r["reason"], r["failed_hunks"]) for r in doc["rounds"]] == [
        ("first", 1), ("placement", 0)
    ]  # fmt: skip
    assert (root / "show.py").read_text() == TWICE.replace(
        "def second(items):\n    for item in items:\n        print(item)",
        "def second(items):\n    for item in items:\n        print('-', item)",
    )


def test_the_default_is_two_repair_rounds(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"show.py": TWICE})
    missing = _block("show.py", "def third(items):\n", "def third(things):\n")
    fake_openai.push(*[Reply(text=f"Try {n}.\n\n{missing}") for n in range(4)])

    assert _ask(fake_openai, root) == 0

    assert len(fake_openai.requests) == 3  # the first answer and two rounds, not a fourth
    assert (
        "3 rounds, round 1 of 3 taken (the best): the rounds are spent" in capsys.readouterr().err
    )


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is the real linter used here")
def test_lint_cmd_runs_a_real_linter_and_its_findings_go_back_as_a_round(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"show.py": TWICE})
    unused = _block("show.py", "def first(items):\n", "import os\n\n\ndef first(items):\n")
    whole = (
        "show.py\n```python\n" + TWICE.replace("print(item)", "print(item, end='')", 1) + "```\n"
    )
    fake_openai.push(Reply(text=unused), Reply(text=whole))
    lint = "ruff check --no-cache --isolated --output-format concise"

    assert _ask(fake_openai, root, "--lint-cmd", lint, "--apply", "--yes", "--json") == 0

    out, err = capsys.readouterr()
    assert f"tome: checks: lint: {lint} (--lint-cmd)" in err
    followup = fake_openai.requests[1].messages[-1]["content"]
    assert "show.py:1:8: F401" in followup  # ruff's finding, as sent back
    doc = json.loads(out.splitlines()[-1])
    assert [r["checks"] for r in doc["rounds"]] == ["failed", "passed"]
    assert "import os" not in (root / "show.py").read_text()


def test_ask_names_the_instruction_files_and_sends_them_in_the_system_message(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, pkg = "Type every function.\n", "pkg/ keeps the standard library only.\n"
    root = make_repo({"show.py": TWICE, "AGENTS.md": rules, "pkg/CLAUDE.md": pkg,
                      "pkg/mod.py": "X = 1\n"})  # fmt: skip
    fake_openai.push(Reply(text="Nothing to change.\n"))

    assert _ask(fake_openai, root, "--no-edits") == 0

    err = capsys.readouterr().err
    assert "tome: instructions: AGENTS.md, pkg/CLAUDE.md (" in err
    assert "tokens, in the system message)" in err
    system, user = fake_openai.requests[0].messages[:2]
    assert rules in system["content"] and pkg in system["content"]
    assert rules not in user["content"]  # not an ordinary packed file


def test_a_repair_round_after_a_thinking_answer_sends_no_reasoning_back(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"show.py": TWICE})
    missing = _block("show.py", "def third(items):\n", "def third(things):\n")
    exact = _block("show.py", "def second(items):\n", "def second(things):\n")
    thought = "The user wants show.py tidied; SEARCH def third maybe."
    fake_openai.push(Reply(text=missing, reasoning=thought), Reply(text=exact))

    assert _ask(fake_openai, root, "--max-rounds", "1", "--json") == 0

    first, second = (r.messages for r in fake_openai.requests)
    answer = second[len(first)]
    assert answer == {"role": "assistant", "content": missing}  # the answer, no reasoning
    assert thought not in json.dumps(second)
    assert [r["reason"] for r in json.loads(capsys.readouterr().out.splitlines()[-1])["rounds"]] == [
        "first", "placement"
    ]  # fmt: skip


def test_ask_session_id_continues_that_session_not_the_latest(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"show.py": TWICE})
    fake_openai.push(Reply(text="The first answer: show.py prints items.\n"),
                     Reply(text="The second answer, of another request.\n"),
                     Reply(text="More on the first.\n"))  # fmt: skip
    assert _ask(fake_openai, root, "--no-edits") == 0
    assert main(["ask", "something else", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--no-edits"]) == 0  # fmt: skip

    assert main(["ask", "say more", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--no-edits", "--session", "1"]) == 0  # fmt: skip

    first, _, third = (r.messages for r in fake_openai.requests)
    assert third[: len(first)] == first  # session 1's prompt, byte for byte
    assert third[len(first)]["content"] == "The first answer: show.py prints items.\n"
    assert third[-1] == {"role": "user", "content": "say more"}
    assert "another request" not in json.dumps(third)
    capsys.readouterr()
    assert main(["history", "-C", str(root)]) == 0
    assert "↳ #1 say more" in capsys.readouterr().out


def test_continue_after_a_loop_follows_the_round_it_gave_not_the_last_one(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"show.py": TWICE})
    good = _block("show.py", "def first(items):\n", "def first(things):\n")
    missing = _block("show.py", "def third(items):\n", "def third(things):\n")
    worse = missing + _block("show.py", "def fourth(items):\n", "def fourth(x):\n")
    fake_openai.push(Reply(text=good + missing), Reply(text=worse),
                     Reply(text="Docs next.\n"))  # fmt: skip
    assert _ask(fake_openai, root, "--max-rounds", "1") == 0
    assert "round 1 of 2 taken (the best): a round made things worse" in capsys.readouterr().err

    assert main(["ask", "now the docs", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--continue"]) == 0  # fmt: skip

    first, _, third = (r.messages for r in fake_openai.requests)
    assert third[: len(first)] == first
    assert third[len(first)]["content"] == good + missing  # round 1's answer, the one taken
    assert third[-1]["content"].endswith("now the docs") and len(third) == len(first) + 2
    assert main(["history", "-C", str(root)]) == 0
    assert "↳ #1 now the docs" in capsys.readouterr().out
