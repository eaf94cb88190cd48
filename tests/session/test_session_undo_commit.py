"""``tome undo`` after ``tome ask --apply --commit``: it says the commit remains and how to
drop it (and that way works), and ``--drop-commit`` drops it while it is the last commit,
leaving every other staged change staged."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import git
import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, RENAME, REPO, UTIL

from assistant.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def _ask_and_commit(fake: FakeOpenAI, root: Path, capsys) -> None:
    fake.push(Reply(text=RENAME))
    assert main(["ask", "rename greet", "-C", str(root), "--base-url", fake.base_url,
                 "--model", "m", "--apply", "--yes", "--commit"]) == 0  # fmt: skip
    capsys.readouterr()


def _status(root: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                          text=True).stdout  # fmt: skip


def test_undo_says_the_commit_remains_and_how_to_drop_it(
    fake_openai: FakeOpenAI, make_repo, capsys
) -> None:
    root = make_repo(REPO)
    repo = git.Repo(root)
    before = repo.head.commit.hexsha
    _ask_and_commit(fake_openai, root, capsys)
    made = repo.head.commit.hexsha
    assert main(["undo", "-C", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"the commit {made[:12]} the apply made remains" in out
    assert "git reset HEAD~1" in out
    assert repo.head.commit.hexsha == made  # nothing done to git without asking
    subprocess.run(["git", "reset", "-q", "HEAD~1"], cwd=root, check=True)
    assert repo.head.commit.hexsha == before and _status(root) == ""


def test_drop_commit_reverts_the_commit_and_keeps_other_staged_work(
    fake_openai: FakeOpenAI, make_repo, capsys
) -> None:
    root = make_repo(REPO)
    repo = git.Repo(root)
    before = repo.head.commit.hexsha
    _ask_and_commit(fake_openai, root, capsys)
    made = repo.head.commit.hexsha
    (root / "README.md").write_text("# demo\n\nstaged by the user\n")
    subprocess.run(["git", "add", "README.md"], cwd=root, check=True)
    assert main(["undo", "--drop-commit", "--json", "-C", str(root)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["commit"] == made and report["commit_dropped"] is True
    assert repo.head.commit.hexsha == before
    assert (root / "app.py").read_text() == APP and (root / "util.py").read_text() == UTIL
    assert _status(root) == "M  README.md\n"  # still staged; app.py and util.py clean


def test_drop_commit_refuses_when_a_later_commit_came_on_top(
    fake_openai: FakeOpenAI, make_repo, capsys
) -> None:
    root = make_repo(REPO)
    repo = git.Repo(root)
    _ask_and_commit(fake_openai, root, capsys)
    made = repo.head.commit.hexsha
    (root / "README.md").write_text("# demo 2\n")
    subprocess.run(["git", "commit", "-qam", "later"], cwd=root, check=True)
    later = repo.head.commit.hexsha
    assert main(["undo", "--drop-commit", "-C", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "reverted the last apply" in out
    assert f"commit {made[:12]} is no longer the last commit" in err
    assert repo.head.commit.hexsha == later
    assert (root / "app.py").read_text() == APP
