"""A git command for the pack tests, with an identity so commits work on any machine."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> str:
    """``git ARGS`` in ``cwd`` (``stdin`` as its input); its stdout, stripped. A failure
    fails the test."""
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        input=stdin,
        check=True,
    )
    return done.stdout.decode().strip()


def commit(root: Path, files: dict[str, str], message: str) -> None:
    """Write ``files`` (relative paths) and commit everything with ``message`` (any text,
    empty too)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty-message", "-F", "-", stdin=message.encode())


def new_repo(tmp_path: Path, name: str = "repo") -> Path:
    """An empty git repository at ``tmp_path / name`` on branch main."""
    root = tmp_path / name
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root
