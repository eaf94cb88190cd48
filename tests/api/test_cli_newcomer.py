"""The command line as a newcomer meets it (issue 13): a terminal UI that refuses without a
terminal instead of spinning, ``--version``, a ``--help`` that says what bare ``tome`` does,
the TUI's backend options, help on ``--format``, a header on ``tome history`` and one
command that says where the config lives."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply

import assistant
from assistant.cli import build_parser, main

# real code of a real project (tome's own module) as the repository's one file
PATHS_PY = (Path(assistant.__file__).parent / "paths.py").read_text()
ANSWER = """\
```diff
--- a/paths.py
+++ b/paths.py
@@ -1,1 +1,1 @@
-\"\"\"Where tome keeps user state: config, cache and state directories.
+\"\"\"Where tome keeps the user's state: config, cache and state directories.
```
"""


HISTORY_COLUMNS = ["id", "when", "status", "files", "tokens", "cost", "backend", "task"]


def _tome(args: list[str], cwd: Path, **streams: Any) -> subprocess.CompletedProcess[bytes]:
    """``tome ARGS`` in a child process, bounded by ``timeout`` (a spinning UI is killed)."""
    env = dict(os.environ, PYTHONPATH=str(Path(assistant.__file__).parent.parent))
    return subprocess.run(
        ["timeout", "10", sys.executable, "-m", "assistant", *args],
        cwd=cwd, env=env, capture_output="stdout" not in streams, check=False, **streams,
    )  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [[], ["-C", "."], ["review", "change.diff"], ["ask", "rename it", "--review"]],
    ids=["bare", "bare-C", "review", "ask-review"],
)
def test_every_terminal_ui_refuses_without_a_terminal(make_repo, args: list[str]) -> None:
    root = make_repo({"paths.py": PATHS_PY})
    (root / "change.diff").write_text(ANSWER.split("```diff\n")[1].split("```")[0])
    done = _tome(args, root, stdin=subprocess.DEVNULL)
    # not 124: timeout did not have to stop it; `tome ask` says 2, a usage error (its codes)
    assert done.returncode == (2 if args[:1] == ["ask"] else 1), done
    err = done.stderr.decode()
    assert "needs a terminal" in err and "stdin and stdout are not" in err, err
    assert b"\x1b" not in done.stdout + done.stderr  # no escape codes drawn into a pipe


def test_a_terminal_on_stdin_alone_is_not_enough(make_repo) -> None:
    """``tome | less``: keys could be read, but the screen would go into a pipe."""
    root = make_repo({"paths.py": PATHS_PY})
    leader, follower = pty.openpty()
    try:
        done = _tome([], root, stdin=follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 1
    assert "stdout is not a terminal" in done.stderr.decode()
    assert b"\x1b" not in done.stdout


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"tome {version('tome')}\n"


def test_help_says_bare_tome_opens_the_terminal_ui() -> None:
    text = " ".join(build_parser().format_help().split())
    assert "With no COMMAND, tome opens the terminal UI" in text
    for option in ("--backend NAME", "--base-url URL", "--model ID", "--version"):
        assert option in text


@pytest.mark.parametrize("command", ["pack", "ask"])
def test_format_has_help_text(command: str) -> None:
    sub = build_parser(only=command)._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]
    (action,) = [a for a in sub._actions if "--format" in a.option_strings]
    assert action.help and "markdown" in action.help and "xml" in action.help


def test_the_tui_takes_the_backend_options_of_ask(
    make_repo, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``tome -C DIR --base-url URL --model ID`` opens Compose on that endpoint and model."""
    from tui.app import TomeApp

    root = make_repo({"pkg/paths.py": PATHS_PY})
    seen: list[tuple[Path, str, str, str]] = []

    async def look(pilot: Any) -> None:
        await pilot.pause()
        a = pilot.app.assistant
        seen.append(
            (pilot.app.root, a.backend.base_url, a.backend.model, type(pilot.app.screen).__name__)
        )
        pilot.app.exit(0)

    real_run = TomeApp.run
    monkeypatch.setattr(
        TomeApp, "run", lambda app: real_run(app, headless=True, size=(100, 30), auto_pilot=look)
    )
    monkeypatch.setattr("assistant.cli._ui.not_terminals", lambda: [])
    args = ["-C", str(root / "pkg"), "--base-url", fake_openai.base_url, "--model", "m-7"]
    assert main(args) == 0
    assert seen == [(root, fake_openai.base_url, "m-7", "ComposeScreen")]


def test_tui_options_before_a_command_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--model", "m", "history"])
    assert exited.value.code == 2
    assert "for the terminal UI" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")
def test_history_has_a_header_row(
    make_repo, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"paths.py": PATHS_PY})
    fake_openai.push(Reply(text=ANSWER))
    ask = ["ask", "say the user's", "-C", str(root), "--base-url", fake_openai.base_url]
    assert main([*ask, "--model", "m"]) == 0
    capsys.readouterr()
    assert main(["history", "-C", str(root)]) == 0
    header, row, *_ = capsys.readouterr().out.splitlines()
    assert header.split() == HISTORY_COLUMNS
    assert row.split()[0] == "1" and row.endswith("say the user's")
    # the columns line up: each header word ends (or starts) where its column does
    assert header.index("status") == row.index("answered")


def test_config_prints_where_the_settings_live(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"paths.py": PATHS_PY, ".tome.toml": 'backend = "gpt-4.1"\n'})
    user = Path(os.environ["TOME_HOME"]) / "config" / "config.toml"
    assert main(["config", "-C", str(root), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["user_config"] == str(user)
    assert found["project_config"] == str(root / ".tome.toml")
    assert main(["config", "-C", str(root)]) == 0
    text = capsys.readouterr().out
    assert f"user config     {user}  (not created yet)" in text
    user.parent.mkdir(parents=True)
    user.write_text('backend = "gpt-4.1"\n')
    assert main(["config", "-C", str(root)]) == 0
    assert f"user config     {user}\n" in capsys.readouterr().out
    assert main(["models", "-C", str(root)]) == 0
    assert f"user config: {user}" in capsys.readouterr().out


def test_the_readme_documents_the_config_command() -> None:
    readme = (Path(assistant.__file__).parent.parent / "README.md").read_text()
    assert "tome config" in readme
