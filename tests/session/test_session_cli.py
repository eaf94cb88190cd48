"""``tome ask --apply``, ``tome history`` and ``tome undo --session`` end to end."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import git
import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, RENAME, REPO, UTIL

from assistant.cli import main
from assistant.cli.ask import TRUNCATED_EXIT

NEW_APP = APP.replace("greet", "welcome")

# The generic backend counts with o200k_base, which this machine (and CI) lacks offline:
# tokens falls back to cl100k_base and warns once, its documented behaviour.
pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def _ask(fake: FakeOpenAI, root: Path, *extra: str) -> int:
    return main(["ask", "rename greet", "-C", str(root), "--base-url", fake.base_url,
                 "--model", "m", *extra])  # fmt: skip


def test_ask_apply_yes_applies_without_asking(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    assert _ask(fake_openai, root, "--apply", "--yes") == 0
    out, err = capsys.readouterr()
    assert out == RENAME
    assert "M app.py  (+2 -2, 2 hunks)" in err and "M util.py  (+1 -1, 1 hunk)" in err
    assert "changed 2 files; 'tome undo' reverts" in err
    assert (root / "app.py").read_text() == NEW_APP
    with sqlite3.connect(root / ".tome" / "history.db") as con:
        assert con.execute("SELECT COUNT(*) FROM applies").fetchone() == (1,)


@pytest.mark.parametrize(("reply", "applied"), [("y\n", True), ("n\n", False), ("", False)])
def test_ask_apply_asks_first(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reply: str,
    applied: bool,
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    monkeypatch.setattr("sys.stdin", io.StringIO(reply))
    code = _ask(fake_openai, root, "--apply")
    err = capsys.readouterr().err
    assert "Apply these changes? [y/N]" in err
    assert code == (0 if applied else 1)
    assert (root / "app.py").read_text() == (NEW_APP if applied else APP)


def test_ask_apply_refuses_a_truncated_answer(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo(REPO)
    monkeypatch.setenv("TOME_MAX_CONTINUATIONS", "0")
    fake_openai.push(Reply(text=RENAME[: RENAME.index("util.py")], finish_reason="length"))
    assert _ask(fake_openai, root, "--apply", "--yes") == TRUNCATED_EXIT
    assert "still cut off" in capsys.readouterr().err
    assert (root / "app.py").read_text() == APP


def test_ask_apply_writes_nothing_when_a_hunk_fails(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    bad = RENAME.replace("def add(a, b):\n=", "def sub(a, b):\n=")
    fake_openai.push(Reply(text=bad))
    assert _ask(fake_openai, root, "--apply", "--yes") == 1
    err = capsys.readouterr().err
    assert "util.py" in err and "nothing was written" in err
    assert (root / "app.py").read_text() == APP


def test_ask_apply_commit_and_undo_by_session(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    repo = git.Repo(root)
    before = repo.head.commit
    fake_openai.push(Reply(text=RENAME))
    assert _ask(fake_openai, root, "--apply", "--yes", "--commit") == 0
    assert "committed" in capsys.readouterr().err
    assert repo.head.commit.message.startswith("tome: rename greet")
    assert repo.head.commit.parents == (before,)

    assert main(["history", "--json", "-C", str(root)]) == 0
    listing = json.loads(capsys.readouterr().out)
    [session] = listing["sessions"]
    assert session["status"] == "committed" and session["files"] == 2
    [apply] = session["applies"]
    assert apply["state"] == "committed" and apply["commit"] == repo.head.commit.hexsha
    assert listing["bytes"] > 0 and listing["database"].endswith(".tome/history.db")

    assert main(["undo", "--session", str(session["session_id"]), "-C", str(root)]) == 0
    assert f"of session {session['session_id']}" in capsys.readouterr().out
    assert (root / "app.py").read_text() == APP and (root / "util.py").read_text() == UTIL
    assert main(["undo", "--session", str(session["session_id"]), "-C", str(root)]) == 1
    assert "no apply to undo" in capsys.readouterr().err


def test_yes_and_commit_need_apply(make_repo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(REPO)
    assert main(["ask", "x", "--commit", "-C", str(root), "--base-url", "http://127.0.0.1:9/v1",
                 "--model", "m"]) == 2  # fmt: skip
    assert "go with --apply" in capsys.readouterr().err


def test_history_prints_sessions_and_the_db_size_and_prunes(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    for _ in range(3):
        assert _ask(fake_openai, root) == 0
    capsys.readouterr()
    assert main(["history", "-C", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["id", "when", "status"]  # the header row
    assert len(out) == 5 and all("rename greet" in line for line in out[1:4])
    assert out[-1].startswith("history: 3 sessions, ") and "history.db" in out[-1]

    assert main(["history", "--prune", "--keep", "1", "-C", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "pruned 2 sessions" and out[-1].startswith("history: 1 session, ")
    with sqlite3.connect(root / ".tome" / "history.db") as con:
        assert con.execute("SELECT COUNT(*) FROM manifests").fetchone()[0] == 3  # one pack
        assert con.execute("SELECT COUNT(*) FROM answers").fetchone() == (1,)

    assert main(["history", "--prune", "--older-than", "0", "-C", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "pruned 1 session"
    assert main(["history", "--prune", "-C", str(root)]) == 2
