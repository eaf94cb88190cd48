"""Discovery remembers unchanged files by their stat: no sha computed, no binary read again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from wsutil import git

from assistant import workspace
from assistant.cache import Cache
from assistant.workspace import discover


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Count sha computations and reads (by size) while discovering."""
    calls: dict[str, list[int]] = {"sha": [], "read": []}
    real_sha, real_read = workspace.blob_sha, workspace._read

    def sha(data: bytes) -> str:
        calls["sha"].append(len(data))
        return real_sha(data)

    def read(path: str, size: int, limit: int, sniff: bool = True) -> bytes:
        calls["read"].append(size)
        return real_read(path, size, limit, sniff)

    monkeypatch.setattr(workspace, "blob_sha", sha)
    monkeypatch.setattr(workspace, "_read", read)
    return calls


def settle_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count every file as settled (the real rule waits until it is two seconds old)."""
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))


def shas(root: Path) -> dict[str, str]:
    return {
        f.path: f.blob_sha for f in discover(root, cache=Cache(root.parent / "c.sqlite3")).files
    }


def test_unchanged_files_are_not_hashed_and_binaries_not_read_again(
    make_repo, spied: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settle_now(monkeypatch)
    root = make_repo({"a.py": "a = 1\n", "b.py": "b = 22\n", "logo.png": b"\x89PNG\0\0data"})
    cache = Cache(root.parent / "c.sqlite3")
    first = discover(root, cache=cache)
    assert len(spied["sha"]) == 2 and len(spied["read"]) == 3
    spied["sha"].clear()
    spied["read"].clear()

    again = discover(root, cache=cache)
    assert spied["sha"] == []  # both shas remembered
    assert len(spied["read"]) == 2  # the texts are read for their text; the binary is not
    assert [(f.path, f.blob_sha, f.text) for f in again.files] == [
        (f.path, f.blob_sha, f.text) for f in first.files
    ]
    assert [(s.path, s.reason, s.detail) for s in again.skipped] == [
        (s.path, s.reason, s.detail) for s in first.skipped
    ]


def test_a_change_that_keeps_size_and_mtime_is_still_seen(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    settle_now(monkeypatch)
    root = make_repo({"a.py": "a = 1\n"})
    before = shas(root)["a.py"]
    info = os.stat(root / "a.py")
    (root / "a.py").write_text("a = 2\n")  # same size
    os.utime(root / "a.py", ns=(info.st_atime_ns, info.st_mtime_ns))  # mtime set back
    after = shas(root)["a.py"]
    assert after != before
    assert after == git(root, "hash-object", "a.py").strip()


def test_files_changed_just_now_are_not_remembered(make_repo, spied: dict[str, list[int]]) -> None:
    root = make_repo({"a.py": "a = 1\n"})  # written this instant: not settled
    shas(root)
    shas(root)
    assert len(spied["sha"]) == 2  # hashed both times


def test_a_damaged_memo_is_ignored_and_rewritten(
    make_repo, spied: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settle_now(monkeypatch)
    root = make_repo({"a.py": "a = 1\n"})
    memo = workspace._StatMemo.for_root(Cache(root.parent / "c.sqlite3"), root.resolve())
    assert memo is not None
    memo.where.parent.mkdir(parents=True, exist_ok=True)
    memo.where.write_bytes(b"not marshal data")
    assert shas(root)["a.py"] == git(root, "hash-object", "a.py").strip()
    spied["sha"].clear()
    shas(root)
    assert spied["sha"] == []


def test_the_content_rules_judge_an_unchanged_file_once(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the content rules kept (or skipped) is not judged again while its stat holds;
    a changed one is, and a file grown minified is then skipped."""
    settle_now(monkeypatch)
    judged: list[str] = []
    real = workspace.content_verdict

    def spy(path: str, text: str, size: int) -> tuple[str, str] | None:
        judged.append(path)
        return real(path, text, size)

    monkeypatch.setattr(workspace, "content_verdict", spy)
    written = "".join(f"line {i} of prose\n" for i in range(400))
    bundle = "var a=1;" * 2000
    root = make_repo({"notes.txt": written, "app.js": bundle, "tiny.py": "x = 1\n"})
    cache = Cache(root.parent / "c.sqlite3")
    first = discover(root, cache=cache)
    assert sorted(judged) == ["app.js", "notes.txt", "tiny.py"]
    assert [f.path for f in first.files] == ["notes.txt", "tiny.py"]
    judged.clear()
    again = discover(root, cache=cache)
    assert judged == []
    assert [(f.path, f.text) for f in again.files] == [(f.path, f.text) for f in first.files]
    assert [(s.path, s.reason) for s in again.skipped] == [("app.js", "minified")]
    (root / "notes.txt").write_text("x" * 9000)  # one huge line now
    judged.clear()
    third = discover(root, cache=cache)
    assert judged == ["notes.txt"]
    assert [f.path for f in third.files] == ["tiny.py"]
    assert {s.path for s in third.skipped if s.reason == "minified"} == {"app.js", "notes.txt"}
