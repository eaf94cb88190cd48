"""An apply's writes are on disk before its journal says applied, and each journal blob
before the manifest that names it: fsyncs grouped at a barrier (fsio.Barrier), run in
parallel, not one by one; a failed fsync stops the apply with a clear error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import fsio, worktree


def _inode(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def test_every_write_and_its_folder_is_synced_before_the_journal_says_applied(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"a.txt": "a\n", "pkg/b.txt": "b\n", "gone.txt": "g\n"})
    synced: set[tuple[int, int]] = set()
    real_fsync = os.fsync

    def recording(fd: int) -> None:
        st = os.fstat(fd)
        synced.add((st.st_dev, st.st_ino))
        real_fsync(fd)

    seen: dict[str, set[tuple[int, int]]] = {}
    real_set_state = worktree._set_state

    def checking(real_root: Path, jdir: Path, state: str) -> None:
        seen[state] = set(synced)
        real_set_state(real_root, jdir, state)

    monkeypatch.setattr(os, "fsync", recording)
    monkeypatch.setattr(worktree, "_set_state", checking)
    changes = {"a.txt": "A\n", "pkg/b.txt": "B\n", "new/c.txt": "C\n", "gone.txt": None}
    done = worktree.apply_changes(root, changes)
    before = seen["applied"]
    for rel in ("a.txt", "pkg/b.txt", "new/c.txt"):
        assert _inode(root / rel) in before, rel  # the file's new bytes
        assert _inode((root / rel).parent) in before, rel  # its rename
    assert done.journal is not None
    blobs = root / worktree.JOURNAL / done.journal / "blobs"
    assert all(_inode(b) in before for b in blobs.iterdir())
    assert (root / "a.txt").read_text() == "A\n" and not (root / "gone.txt").exists()


def test_a_failed_fsync_is_a_clear_error_and_the_apply_rolls_back(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo({"a.txt": "a\n", "b.txt": "b\n"})
    real_fsync = os.fsync
    target = {"armed": False}

    def failing(fd: int) -> None:
        if (
            target["armed"]
            and os.fstat(fd).st_size == 2
            and not os.path.isdir(f"/proc/self/fd/{fd}")
        ):
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    real_write = worktree._write_file

    def arm(*args: object) -> None:
        target["armed"] = True  # the tree's writes, not the journal's
        real_write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", failing)
    monkeypatch.setattr(worktree, "_write_file", arm)
    with pytest.raises(fsio.FileSystemError, match="save it to disk"):
        worktree.apply_changes(root, {"a.txt": "A\n", "b.txt": "B\n"})
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert worktree.journals(root)[-1][1] == "pending"  # never marked applied
    assert worktree.undo(root) is not None
    assert (root / "a.txt").read_text() == "a\n" and (root / "b.txt").read_text() == "b\n"


def test_a_barrier_holds_a_bounded_number_of_descriptors(tmp_path: Path) -> None:
    with fsio.Barrier() as barrier:
        for i in range(fsio.Barrier.MAX_HELD * 2 + 3):
            fsio.atomic_write(tmp_path / f"f{i}", b"x", durable=barrier)
            assert len(barrier._held) < fsio.Barrier.MAX_HELD
        barrier.sync()
        assert barrier._held == []
