"""Helpers for the edit-engine tests: golden cases on disk."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edits"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def read_tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` as text, leaving out git's and tome's own directories."""
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {".git", ".tome"} & set(p.relative_to(root).parts)
    }
