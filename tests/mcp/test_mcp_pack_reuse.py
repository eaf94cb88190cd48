"""The MCP ``pack`` tool leaves a pack already in ``.tome/pack.xml`` alone, as ``tome pack``
does: the same tree and request and the file as tome left it. Anything else packs again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import workspace
from assistant.mcp import tools
from assistant.packing import pack as pack_repository

BIG = "".join(f"def step_{i}(value):\n    return value * {i} + {i * 7}\n\n" for i in range(2500))


@pytest.fixture
def packs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the real packs made (and count every file as settled for the stat memo)."""
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))
    made: list[str] = []
    real = pack_repository

    def spy(root, **kwargs):  # type: ignore[no-untyped-def]
        made.append(str(root))
        return real(root, **kwargs)

    monkeypatch.setattr("assistant.packing.pack", spy)
    return made


def stamp(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns


def test_a_second_pack_of_the_same_tree_leaves_the_file_alone(make_repo, packs) -> None:
    root = make_repo({"big.py": BIG, "small.py": "x = 1\n"})
    scope = tools.Scope()
    first = tools.pack(scope, str(root))
    out = Path(first["output"])
    written, text = stamp(out), out.read_bytes()
    assert len(packs) == 1
    again = tools.pack(scope, str(root))
    assert len(packs) == 1 and stamp(out) == written and out.read_bytes() == text
    assert {k: v for k, v in again.items() if k != "note"} == {
        k: v for k, v in first.items() if k != "note"
    }
    # another request, a changed tree, a file someone else changed: each packs again
    other = tools.pack(scope, str(root), encoding="cl100k_base")
    assert len(packs) == 2 and other["encoding"] == "cl100k_base"
    small = tools.pack(scope, str(root), budget=30_000)  # inline: the file keeps the last one
    assert len(packs) == 3 and "text" in small
    tools.pack(scope, str(root))
    assert len(packs) == 4
    (root / "small.py").write_text("x = 2\n")
    changed = tools.pack(scope, str(root))
    assert len(packs) == 5 and "x = 2" in out.read_text()
    assert changed["tokens"] == first["tokens"]
    out.write_text("tampered")
    tools.pack(scope, str(root))
    assert len(packs) == 6 and "def step_2499(value):" in out.read_text()


def test_a_small_pack_is_returned_inline_even_when_its_file_is_up_to_date(make_repo, packs) -> None:
    """``tome pack`` writes a small pack to the same file; the tool still returns its text."""
    from assistant.cli import main

    root = make_repo({"small.py": "x = 1\n"})
    assert main(["pack", str(root), "--json"]) == 0
    report = tools.pack(tools.Scope(), str(root))
    assert "x = 1" in report["text"] and report["output"] is None
