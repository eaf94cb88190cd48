"""A git failure while committing is a GitError that says what happened and what to do.

Real git, real lock: another git (or a crashed one) holds ``.git/index.lock``. The commit
object and the branch move go through a private index, so the commit is made; only the
user's index cannot follow. The message must say the commit stands and how to finish.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from assistant import repo
from assistant.errors import GitError

REAL = (Path(__file__).resolve().parents[2] / "assistant" / "display.py").read_text("utf-8")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_locked_index_says_the_commit_stands_and_how_to_finish(make_repo) -> None:
    root = make_repo({"display.py": REAL})
    _git(root, "config", "user.email", "dev@example.invalid")
    _git(root, "config", "user.name", "Dev")
    before = _git(root, "rev-parse", "HEAD")
    (root / "display.py").write_text(REAL.replace("def safe(", "def safe_text("), "utf-8")
    (root / ".git" / "index.lock").write_bytes(b"")  # another git is at work
    with pytest.raises(GitError) as info:
        repo.commit_paths(root, ["display.py"], "rename safe")
    said = str(info.value)
    head = _git(root, "rev-parse", "HEAD")
    assert head != before and said.startswith(f"committed {head[:10]}")
    assert "index.lock" in said and "git reset -q -- display.py" in said
    assert "git -c" not in said  # the subcommand is named, not the first option


def test_a_refused_command_names_its_subcommand() -> None:
    assert repo._subcommand(["git", "-c", "core.hooksPath=/dev/null", "update-index", "-q"]) == (
        "update-index"
    )
    assert repo._subcommand("git -c a=b -c c=d commit-tree abc") == "commit-tree"
