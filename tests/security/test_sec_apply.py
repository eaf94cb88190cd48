"""Paths that would crash the write phase are refused at plan time; git's aliases of .git.

``--check`` must reject everything the apply would fail on, so an apply never stops
half-way; and a name that opens ``.git`` on NTFS or HFS+ is refused on every platform,
as git refuses it with ``core.protectNTFS`` / ``core.protectHFS``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import worktree
from assistant.cli import main
from assistant.edits import PathRefused, check_path
from assistant.errors import ApplyConflict

ALIASES = [
    ".git.", ".git. .", "GIT~1/config", "git~1/hooks/pre-commit", ".git::$INDEX_ALLOCATION/x",
    ".git:$DATA", ".g\u200cit/config", ".gi\u200dt/hooks/x", "\u200e.git/x", ".git\u202e/x",
    ".g\u206ait/x", "\ufeff.git/x", ".GiT/config", ".tome./journal/x", "TOME~1/x",
    ".tome:stream", "sub/.Git./x",
]  # fmt: skip


@pytest.mark.parametrize("path", ALIASES)
def test_aliases_of_git_and_tome_are_refused(path: str) -> None:
    with pytest.raises(PathRefused, match="belongs to git or tome"):
        check_path(path)


@pytest.mark.parametrize("path", [".github/workflows/x.yml", ".gitignore", "git~5", "gitx/y"])
def test_look_alikes_that_are_not_aliases_pass(path: str) -> None:
    assert check_path(path) == path


BAD = {
    "long": "d/" + "n" * 5000 + ".py",
    "long-total": "/".join(["abcdefghij" * 20] * 30) + "/x.py",
    "file-parent": "a.py/child.txt",
    "deep": "/".join(["d"] * 1000) + "/x.py",
    "nul": "ok\x00.py",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_unwritable_paths_are_refused_at_plan_time(make_repo, case: str) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    with pytest.raises(ApplyConflict):
        worktree.apply_changes(root, {BAD[case]: "new\n"}, check=True)
    with pytest.raises(ApplyConflict):
        worktree.apply_changes(root, {"a.py": "x = 2\n", BAD[case]: "new\n"})
    assert (root / "a.py").read_text() == "x = 1\n"
    assert not (root / "d").exists()


def test_check_reports_what_the_apply_would_fail_on(make_repo, tmp_path: Path, capsys) -> None:
    """The second file cannot be written: --check says so, and the apply writes nothing."""
    root = make_repo({"a.py": "x = 1\n", "b.py": "y = 1\n"})
    patch = tmp_path / "p.diff"
    patch.write_text(
        "--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
        "--- /dev/null\n+++ b/b.py/child.txt\n@@ -0,0 +1 @@\n+new\n"
    )
    assert main(["apply", "--check", str(patch), "-C", str(root)]) == 1
    assert "b.py is a file" in capsys.readouterr().err
    assert main(["apply", str(patch), "-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert "b.py is a file" in err and "Traceback" not in err
    assert (root / "a.py").read_text() == "x = 1\n"
    assert not (root / ".tome").exists()  # not even a journal


def test_a_fifo_in_the_repository_is_refused_not_read(make_repo) -> None:
    import os

    root = make_repo({"a.py": "x = 1\n"})
    os.mkfifo(root / "pipe.py")
    with pytest.raises(ApplyConflict, match="FIFO"):
        worktree.apply_changes(root, {"pipe.py": "x\n"}, check=True)


def test_a_folder_swapped_for_a_link_after_validation_is_not_written_through(
    make_repo, tmp_path: Path, monkeypatch
) -> None:
    root = make_repo({"d/a.py": "x = 1\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    real_open = worktree._open_journal

    def swap(*args, **kwargs):  # type: ignore[no-untyped-def]
        jdir = real_open(*args, **kwargs)
        (root / "d").rename(tmp_path / "moved")
        (root / "d").symlink_to(outside, target_is_directory=True)
        return jdir

    monkeypatch.setattr(worktree, "_open_journal", swap)
    with pytest.raises(Exception, match="symbolic link"):
        worktree.apply_changes(root, {"d/a.py": "x = 2\n"})
    assert list(outside.iterdir()) == []
