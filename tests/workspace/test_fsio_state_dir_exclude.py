"""Whatever creates ``.tome/`` first keeps it out of ``git status``: the exclude line is
written where the folder is made (:func:`assistant.fsio.state_dir`), not by each command."""

from __future__ import annotations

import subprocess

from assistant import fsio


def test_creating_the_state_folder_excludes_it(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    folder = fsio.state_dir(root)
    (folder / "anything").write_text("state\n")
    exclude = (root / ".git" / "info" / "exclude").read_text()
    assert ".tome/" in exclude.splitlines()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=root, capture_output=True, text=True, check=True)  # fmt: skip
    assert status.stdout == ""
    fsio.state_dir(root)  # again: the line is not added twice
    assert (root / ".git" / "info" / "exclude").read_text() == exclude


def test_outside_git_the_folder_is_made_all_the_same(tmp_path) -> None:
    assert fsio.state_dir(tmp_path).is_dir()
    assert not (tmp_path / ".git").exists()
