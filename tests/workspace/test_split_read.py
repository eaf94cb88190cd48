"""Discovery reads a long list of files on two threads: the same results, in the same order,
with the same errors, as one thread reading them all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant import workspace
from assistant.cache import Cache
from assistant.workspace import Skipped, discover


def _tree(make_repo) -> Path:
    files: dict[str, str | bytes] = {f"pkg/m{i:03}.py": f"x = {i}\n" for i in range(40)}
    files.update(
        {
            "pkg/gone.py": "vanished = True\n",  # tracked, then deleted
            "pkg/now_a_dir.py": "was a file\n",  # tracked, then replaced by a folder
            "pkg/logo.png": b"\x89PNG\x00\x00binary",
            "pkg/big.txt": "y" * 5000,
            "pkg/pipe.py": "tracked, then replaced by a FIFO\n",
            "pkg/key.py": "def f():\n    return 1\n" * 20
            + 'TOKEN = "ghp_'
            + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
            + '"\n',
        }
    )
    root = make_repo(files)
    (root / "pkg/gone.py").unlink()
    (root / "pkg/now_a_dir.py").unlink()
    (root / "pkg/now_a_dir.py").mkdir()
    (root / "pkg/now_a_dir.py/inner.py").write_text("inside = 1\n")
    (root / "pkg/link.py").symlink_to("m000.py")
    (root / "pkg/outside.py").symlink_to("/etc/hostname")
    (root / "pkg/pipe.py").unlink()
    os.mkfifo(root / "pkg/pipe.py")
    return root


def _seen(root: Path, cache: Cache | None) -> tuple[object, list[str], list[tuple[int, int]]]:
    order: list[str] = []
    ticks: list[tuple[int, int]] = []
    found = discover(
        root,
        workspace.DiscoverOptions(max_file_bytes=4096),
        cache=cache,
        progress=lambda done, total: ticks.append((done, total)),
        on_text=lambda sha, text: order.append(text()),
    )
    return found, order, ticks


@pytest.mark.parametrize("cached", [False, True])
def test_two_threads_read_as_one_does(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    root = _tree(make_repo)
    monkeypatch.setattr(workspace, "_PROGRESS_EVERY", 7)
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))
    runs = []
    for split, name in ((10**9, "one"), (0, "two")):
        monkeypatch.setattr(workspace, "_SPLIT_ABOVE", split)
        cache = Cache(tmp_path / name / "c.sqlite3") if cached else None
        runs.append(_seen(root, cache))
        if cached:
            runs.append(_seen(root, cache))  # warm: the stat memo decides what is read
    for run in runs[1:]:
        assert run == runs[0]
    found = runs[0][0]
    assert isinstance(found, workspace.Workspace)
    reasons = {s.path: s.reason for s in found.skipped}
    assert reasons["pkg/pipe.py"] == "unreadable"
    assert reasons["pkg/big.txt"] == "too-large"
    assert reasons["pkg/logo.png"] == "binary"
    assert reasons["pkg/outside.py"] == "symlink-outside"
    paths = {f.path for f in found.files}
    assert "pkg/gone.py" not in paths and "pkg/gone.py" not in reasons
    assert "pkg/now_a_dir.py/inner.py" in paths
    assert [r.path for r in found.redacted] == ["pkg/key.py"]
    assert len(runs[0][1]) > 40 and runs[0][2][-1][0] == runs[0][2][-1][1]


def test_an_error_on_the_second_thread_is_raised_in_its_place(tmp_path: Path) -> None:
    """The first error in path order is the one raised, and what came before it is kept;
    the thread reading ahead is ended first."""
    seen: list[str] = []

    def load(rel: str) -> Skipped | None:
        if rel in ("c", "e"):
            raise OSError(f"no {rel}")
        seen.append(rel)
        return Skipped(rel, "unreadable", "x")

    ahead = workspace._Ahead(load, ["c", "d", "e"])
    with pytest.raises(OSError, match="no c"):
        ahead.next()
    ahead.stop()
    assert seen == []  # the thread stopped at its first error
    later = workspace._Ahead(load, ["a", "b", "e", "f"])
    assert [later.next(), later.next()] == [Skipped(r, "unreadable", "x") for r in "ab"]
    with pytest.raises(OSError, match="no e"):
        later.next()
    later.stop()
    assert "f" not in seen


def test_a_file_gone_before_the_second_thread_reads_it(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files deleted and a folder removed between listing and reading: left out, as one
    thread would."""
    root = _tree(make_repo)
    shutil.rmtree(root / "pkg/now_a_dir.py")
    for i in range(20, 40):
        (root / f"pkg/m{i:03}.py").unlink()
    monkeypatch.setattr(workspace, "_SPLIT_ABOVE", 0)
    two = discover(root)
    monkeypatch.setattr(workspace, "_SPLIT_ABOVE", 10**9)
    assert two == discover(root)
    assert not any(f.path.startswith("pkg/m02") for f in two.files)
