"""commit_paths with hostile file names: each is committed under its exact bytes, and the
user's index is left with exactly those entries in sync (nothing renamed, nothing split)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from assistant.repo import commit_paths

NAMES = [
    b"caf\xe9.py",  # not UTF-8
    b"a\nb.py",
    b"t\tab.py",
    b'q"uote.py',
    b"fs\x1c.py",
    "ls\u2028.py".encode(),
    b" lead.py",
    b"trail.py ",
    b"dir \xff/in.py",
]


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True).stdout


def test_hostile_names_are_committed_byte_exactly(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "t")
    _git(root, "config", "user.email", "t@t")
    (root / "base.py").write_text("0\n")
    (root / "staged.py").write_text("0\n")
    _git(root, "add", "base.py", "staged.py")
    _git(root, "commit", "-qm", "zero")
    (root / "staged.py").write_text("staged, not to be committed\n")
    _git(root, "add", "staged.py")
    for name in NAMES:
        path = os.fsencode(root) + b"/" + name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(name + b"\n")
    made = commit_paths(root, [os.fsdecode(n) for n in NAMES], "hostile names")
    assert sorted(os.fsencode(p) for p in made.paths) == sorted(NAMES)
    listed = _git(root, "ls-tree", "-r", "-z", "--name-only", "HEAD").split(b"\0")
    assert sorted(n for n in listed if n) == sorted([b"base.py", b"staged.py", *NAMES])
    for name in NAMES:
        blob = _git(root, "cat-file", "blob", "HEAD:" + os.fsdecode(name))
        assert blob == name + b"\n"
    # staged.py stays staged (and uncommitted); the committed names are clean in the index
    assert _git(root, "status", "--porcelain", "-z").split(b"\0")[:-1] == [b"M  staged.py"]
