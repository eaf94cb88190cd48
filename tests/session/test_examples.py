"""Every script in examples/ runs, as a user would run it, against the fake server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import git
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, RENAME, REPO, UTIL

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *map(str, args)],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


def test_every_example_says_how_to_run_it() -> None:
    scripts = sorted(EXAMPLES.glob("*.py"))
    assert len(scripts) >= 3
    for script in scripts:
        text = script.read_text()
        assert text.startswith('"""') and "Run" in text.split('"""')[1], script.name
        assert f"python3 examples/{script.name}" in text, script.name


def test_pack_repo(make_repo) -> None:
    root = make_repo(REPO)
    done = _run("pack_repo.py", root, "--budget", "10k")
    assert done.returncode == 0, done.stderr
    assert f"packed {root}" in done.stdout and "3 whole, 0 skeleton, 0 omitted" in done.stdout
    assert "app.py" in done.stdout


def test_ask_refactor_prints_the_diff_without_writing(make_repo, fake_openai: FakeOpenAI) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    done = _run("ask_refactor.py", "rename greet", "--repo", root,
                "--base-url", fake_openai.base_url, "--model", "m")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--- a/app.py\n+++ b/app.py\n" in done.stdout
    assert (
        "+def welcome(name):" in done.stdout and "+def add(a: int, b: int) -> int:" in done.stdout
    )
    assert "[edit of util.py parsed]" in done.stderr and "session 1: 2 file(s)" in done.stderr
    assert (root / "app.py").read_text() == APP
    [got] = fake_openai.requests
    assert got.messages[1]["content"].rstrip().endswith("rename greet\n</task>")


def test_apply_answer_applies_and_undoes(make_repo, tmp_path: Path) -> None:
    root = make_repo(REPO)
    answer = tmp_path / "answer.md"
    answer.write_text(RENAME)
    done = _run("apply_answer.py", answer, "--repo", root)
    assert done.returncode == 0, done.stderr
    assert "app.py: +2 -2" in done.stdout and "applied (journal" in done.stdout
    assert (root / "app.py").read_text() == APP.replace("greet", "welcome")
    done = _run("apply_answer.py", answer, "--repo", root)  # already applied: no longer matches
    assert done.returncode == 1 and "nothing was written" in done.stderr


def test_session_loop_applies_commits_and_undoes(make_repo, fake_openai: FakeOpenAI) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    done = _run("session_loop.py", "rename greet", "--repo", root, "--skip", "util.py",
                "--commit", "--base-url", fake_openai.base_url, "--model", "m")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "applied: app.py" in done.stdout and "util.py: ['rejected']" in done.stdout
    repo = git.Repo(root)
    assert repo.head.commit.message.startswith("tome: rename greet")
    assert sorted(repo.head.commit.stats.files) == ["app.py"]
    assert "history: #1 committed 'rename greet'" in done.stdout
    assert (root / "util.py").read_text() == UTIL
