"""Real git diffs for the parser tests: commit ``before``, write ``after``, run ``git diff``,
then apply the same diff with ``git apply`` and with ``tome apply`` in two fresh repositories
and read back every file's bytes, so a test compares tome with git byte for byte."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from assistant.cli import main

Files = Mapping[str, bytes | None]


def git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    done = subprocess.run(
        ["git", *args], cwd=root, input=data, capture_output=True, check=True, timeout=60
    )
    return done.stdout


def write(root: Path, files: Files) -> None:
    for rel, data in files.items():
        path = root / rel
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes, git's and tome's own directories left out."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {".git", ".tome"} & set(p.relative_to(root).parts)
    }


def real_diff(make_repo: Callable[..., Path], before: Files, after: Files, *args: str) -> bytes:
    """``git diff`` (extra ``args``, e.g. ``-M``) from ``before`` (committed) to ``after``."""
    root = make_repo({k: v for k, v in before.items() if v is not None})
    write(root, after)
    git(root, "add", "-A")
    return git(root, "diff", "--cached", *args)


def git_apply(make_repo: Callable[..., Path], before: Files, patch: bytes) -> dict[str, bytes]:
    root = make_repo({k: v for k, v in before.items() if v is not None})
    git(root, "apply", "-", data=patch)
    return tree(root)


def tome_apply(
    make_repo: Callable[..., Path], tmp_path: Path, before: Files, patch: bytes
) -> tuple[int, dict[str, bytes]]:
    """``tome apply PATCH`` in a fresh repository: its exit code and the files after it."""
    root = make_repo({k: v for k, v in before.items() if v is not None})
    target = tmp_path / f"{root.name}.patch"
    target.write_bytes(patch)
    code = main(["apply", str(target), "-C", str(root)])
    return code, tree(root)
