"""The disk edge: confinement, atomic journaled writes, crash recovery, conflicts, undo."""

from __future__ import annotations

import os
from pathlib import Path

import git
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import worktree
from assistant.edits import FileConflict, PathRefused


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".tome" not in p.parts
    }


def test_symlink_leaving_the_root_is_refused(make_repo, tmp_path: Path) -> None:
    root = make_repo({"a.py": "x\n"})
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "file_link").symlink_to(root / "a.py")
    with pytest.raises(PathRefused, match="leaves the repository"):
        worktree.apply_changes(root, {"link/evil.py": "boom\n"})
    with pytest.raises(PathRefused, match="symbolic link"):
        worktree.apply_changes(root, {"file_link": "boom\n"})
    assert list(outside.iterdir()) == []
    assert (root / "a.py").read_text() == "x\n"


def test_symlink_into_git_dir_is_refused(make_repo) -> None:
    root = make_repo({"a.py": "x\n"})
    (root / "g").symlink_to(root / ".git", target_is_directory=True)
    with pytest.raises(PathRefused, match=r"\.git"):
        worktree.apply_changes(root, {"g/config": "boom\n"})


def test_apply_then_undo_restores_bytes_modes_and_removes_new_files(make_repo) -> None:
    root = make_repo({"a.sh": "#!/bin/sh\necho a\n", "b.txt": "b\n"})
    os.chmod(root / "a.sh", 0o755)
    before = snapshot(root)
    done = worktree.apply_changes(
        root, {"a.sh": "#!/bin/sh\necho A\n", "b.txt": None, "new/dir/c.txt": "c\n"}
    )
    assert done.created == ("new/dir/c.txt",) and done.deleted == ("b.txt",)
    assert (root / "a.sh").stat().st_mode & 0o777 == 0o755
    assert not list(root.rglob("*.tome-tmp"))
    undone = worktree.undo(root)
    assert undone is not None and not undone.recovered
    assert snapshot(root) == before
    assert not (root / "new").exists()
    assert worktree.undo(root) is None
    assert ".tome/" in (root / ".git" / "info" / "exclude").read_text()
    assert git.Repo(root).untracked_files == []


def test_crash_after_second_of_three_writes_is_rolled_back(make_repo, monkeypatch) -> None:
    root = make_repo({"a.txt": "a\n", "b.txt": "b\r\n", "c.txt": "c"})
    before = snapshot(root)
    real = worktree._write_file
    calls: list[str] = []

    def crashing(real_root: Path, rel: str, *args: object) -> None:
        calls.append(rel)
        if len(calls) == 3:
            raise OSError("simulated power loss")
        real(real_root, rel, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(worktree, "_write_file", crashing)
    with pytest.raises(OSError, match="power loss"):
        worktree.apply_changes(root, {"a.txt": "A\n", "b.txt": "B\r\n", "c.txt": "C"})
    monkeypatch.setattr(worktree, "_write_file", real)
    assert (root / "a.txt").read_bytes() == b"A\n"  # two of three were written
    assert worktree.journals(root)[-1][1] == "pending"
    undone = worktree.undo(root)
    assert undone is not None and undone.recovered
    assert snapshot(root) == before


def test_next_apply_recovers_an_interrupted_one_first(make_repo, monkeypatch) -> None:
    root = make_repo({"a.txt": "a\n", "b.txt": "b\n"})
    real = worktree._write_file

    def crashing(real_root: Path, rel: str, *args: object) -> None:
        if rel == "b.txt":
            raise OSError("crash")
        real(real_root, rel, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(worktree, "_write_file", crashing)
    with pytest.raises(OSError):
        worktree.apply_changes(root, {"a.txt": "A\n", "b.txt": "B\n"})
    monkeypatch.setattr(worktree, "_write_file", real)
    worktree.apply_changes(root, {"b.txt": "BB\n"})
    assert (root / "a.txt").read_text() == "a\n"
    assert [s for _n, s in worktree.journals(root)] == ["undone", "applied"]


def test_two_applies_across_a_second_boundary_stay_in_order(make_repo, monkeypatch) -> None:
    # The journal name is the time of the apply; read from two clocks (the second, then the
    # nanoseconds), an apply at 12:00:00.999999999 and one a moment later could be named
    # 12:00:00-000000001 and sort first, so undo would pick the wrong one as the last.
    root = make_repo({"a.txt": "a\n"})
    clock = iter([1_700_000_000_999_999_999, 1_700_000_001_000_000_001])
    monkeypatch.setattr(worktree.time, "time_ns", lambda: next(clock))
    worktree.apply_changes(root, {"a.txt": "b\n"})
    worktree.apply_changes(root, {"a.txt": "c\n"})
    names = [n for n, _s in worktree.journals(root)]
    assert [n[:15] for n in names] == ["20231114T221320", "20231114T221321"]
    worktree.undo(root)
    assert (root / "a.txt").read_text() == "b\n"


def test_check_writes_nothing(make_repo) -> None:
    root = make_repo({"a.txt": "a\n"})
    done = worktree.apply_changes(root, {"a.txt": "b\n"}, check=True)
    assert done.written == ("a.txt",) and done.journal is None
    assert (root / "a.txt").read_text() == "a\n"
    assert not (root / ".tome").exists()


def test_changed_file_merges_cleanly_with_git_merge_file(make_repo) -> None:
    base = "".join(f"{i}\n" for i in range(20))
    root = make_repo({"n.txt": base})
    packed = worktree.blob_sha(base.encode())
    (root / "n.txt").write_text(base.replace("1\n", "one\n", 1))  # the user edits line 2
    theirs = base.replace("18\n", "eighteen\n")  # the model edits line 19
    done = worktree.apply_changes(root, {"n.txt": theirs}, base={"n.txt": packed})
    assert done.merged == ("n.txt",)
    text = (root / "n.txt").read_text()
    assert "one\n" in text and "eighteen\n" in text


def test_conflicting_change_is_refused_with_both_sides(make_repo) -> None:
    root = make_repo({"n.txt": "a\nb\nc\n", "o.txt": "o\n"})
    packed = worktree.blob_sha(b"a\nb\nc\n")
    (root / "n.txt").write_text("a\nUSER\nc\n")
    with pytest.raises(FileConflict) as info:
        worktree.apply_changes(
            root, {"o.txt": "O\n", "n.txt": "a\nMODEL\nc\n"}, base={"n.txt": packed}
        )
    assert info.value.ours == "a\nUSER\nc\n" and info.value.theirs == "a\nMODEL\nc\n"
    assert (root / "o.txt").read_text() == "o\n"  # all or nothing


def test_latin1_and_bom_round_trip(make_repo) -> None:
    root = make_repo({"l.txt": b"caf\xe9\nx\n", "b.txt": b"\xef\xbb\xbfx = 1\n"})
    l_text = worktree.read_file(root, "l.txt")
    b_text = worktree.read_file(root, "b.txt")
    assert l_text is not None and l_text.encoding == "latin-1" and l_text.text == "café\nx\n"
    assert b_text is not None and b_text.encoding == "utf-8-sig" and b_text.text == "x = 1\n"
    worktree.apply_changes(root, {"l.txt": "café\ny\n", "b.txt": "x = 2\n"})
    assert (root / "l.txt").read_bytes() == b"caf\xe9\ny\n"
    assert (root / "b.txt").read_bytes() == b"\xef\xbb\xbfx = 2\n"
    with pytest.raises(FileConflict, match="latin-1"):
        worktree.apply_changes(root, {"l.txt": "日本\n"})


def test_undo_refuses_when_a_file_changed_again(make_repo) -> None:
    root = make_repo({"a.txt": "a\n"})
    worktree.apply_changes(root, {"a.txt": "b\n"})
    (root / "a.txt").write_text("user\n")
    with pytest.raises(FileConflict, match="changed again"):
        worktree.undo(root)
    assert worktree.undo(root, force=True) is not None
    assert (root / "a.txt").read_text() == "a\n"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "d/c"]),
        st.binary(max_size=64).filter(lambda b: b"\0" not in b),
        min_size=1,
    )
)
def test_undo_is_byte_identical(make_repo, originals: dict[str, bytes]) -> None:
    root = make_repo(originals)
    before = snapshot(root)
    changes: dict[str, str | None] = {}
    for i, path in enumerate(sorted(originals)):
        changes[path] = None if i % 2 else f"new {i}\r\n"
    changes["fresh/new.txt"] = "new\n"
    worktree.apply_changes(root, changes)
    assert worktree.undo(root) is not None
    assert snapshot(root) == before
