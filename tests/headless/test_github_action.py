"""examples/github-action.yml: the workflow parses, triggers on a label or a comment, takes
the key from a secret, opens a pull request, never pastes the issue's text into a shell
line (the issue is untrusted), and every tome command it runs parses with tome's own
argparse; the ask command is then run as written against the fake server."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import git
import pytest
import yaml
from fakeopenai import FakeOpenAI, Reply
from greetkit import APP, RENAME

from assistant.cli import build_parser, main

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "github-action.yml"
UNTRUSTED = re.compile(r"\$\{\{\s*github\.event\.(issue\.(title|body)|comment\.body)")


def _workflow() -> dict[Any, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _steps() -> list[dict[str, Any]]:
    [job] = _workflow()["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _tome_commands() -> list[list[str]]:
    """Every ``tome ...`` line of the workflow's shell steps, split as the shell would."""
    commands = []
    for step in _steps():
        for line in step.get("run", "").splitlines():
            if line.strip().startswith("tome "):  # up to a redirection
                commands.append(shlex.split(line.split(" > ", 1)[0])[1:])
    return commands


def test_it_triggers_on_a_label_or_a_comment_and_opens_a_pull_request() -> None:
    doc = _workflow()
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers == {"issues": {"types": ["labeled"]}, "issue_comment": {"types": ["created"]}}
    [job] = doc["jobs"].values()
    assert "github.event.label.name == 'tome'" in job["if"]
    assert "author_association" in job["if"]  # a comment counts only from people with access
    assert job["env"]["DEEPSEEK_API_KEY"] == "${{ secrets.DEEPSEEK_API_KEY }}"
    assert doc["permissions"]["pull-requests"] == "write"
    runs = "\n".join(s.get("run", "") for s in _steps())
    assert "gh pr create --head" in runs and "git push origin" in runs


def test_the_issue_text_never_reaches_a_shell_line() -> None:
    for step in _steps():
        assert not UNTRUSTED.search(step.get("run", "")), step["name"]
    [task] = [s for s in _steps() if s.get("name") == "The task"]
    assert UNTRUSTED.search(task["env"]["BODY"])  # through the environment instead


def test_every_tome_command_parses_with_tomes_own_flags() -> None:
    commands = _tome_commands()
    assert [c[0] for c in commands] == ["ask", "history"]
    for words in commands:
        args = build_parser(only=words[0]).parse_args(words)  # SystemExit(2) on a bad flag
        assert args.command == words[0]
    ask = build_parser(only="ask").parse_args(commands[0])
    assert (ask.mode, ask.yes, ask.commit, ask.json) == ("apply", True, True, True)
    assert not ask.allow_config_edits  # CI edits stay refused under --yes


def test_the_ask_command_runs_as_written(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo({"app.py": APP})
    monkeypatch.chdir(root)
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")  # the secret, as the job's env has it
    monkeypatch.setenv("TOME_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("TOME_MODEL", "m")
    fake_openai.push(Reply(text=RENAME))
    words = [w if not w.startswith("$(") else "rename greet to welcome" for w in
             _tome_commands()[0]]  # fmt: skip
    assert main(words) == 0
    finished = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert finished["event"] == "finished" and finished["applied"] is True
    head = git.Repo(root).head.commit
    assert head.message.startswith("tome: rename greet to welcome")
    assert fake_openai.requests[0].api_key == "sk-test"
