"""A git dir whose path ends in whitespace: the scratch repository must find its objects
(``git rev-parse --git-path`` output loses only its newline, not the trailing space)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from assistant.scratch import Scratch


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_a_git_dir_ending_in_a_space_is_found_whole(tmp_path: Path) -> None:
    root = tmp_path / "work"
    git_dir = tmp_path / "store "  # trailing space: legal for git and for the file system
    root.mkdir()
    _git(root, "init", "-q", "-b", "main", f"--separate-git-dir={git_dir}")
    (root / "a.py").write_text("x = 1\n")
    _git(root, "add", "a.py")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    (root / "a.py").write_text("x = 2\n")  # a change, so the snapshot's index is used
    scratch = Scratch(root, tmp_path / "scratch")
    scratch.prepare()
    alternates = scratch.path / ".git/objects/info/alternates"
    assert alternates.read_bytes() == f"{git_dir}/objects\n".encode()
    snap = scratch.snapshot()
    scratch.reset(snap)
    assert (scratch.path / "a.py").read_text() == "x = 2\n"
