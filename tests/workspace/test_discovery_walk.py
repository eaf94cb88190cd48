"""Discovery outside git: a walk that applies .gitignore files and never loops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from wsutil import write_tree

from assistant import workspace
from assistant.workspace import DiscoverOptions, discover


def paths(ws) -> list[str]:
    return [f.path for f in ws.files]


def skips(ws) -> dict[str, str]:
    return {s.path: s.reason for s in ws.skipped}


def test_walk_applies_gitignore_files_at_every_level(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".gitignore": "*.tmp\n/top-only.txt\ncache/\n",
            "a.py": "a\n",
            "x.tmp": "ignored\n",
            "top-only.txt": "anchored: ignored here\n",
            "cache/c.py": "ignored folder\n",
            "src/top-only.txt": "anchored pattern does not reach here\n",
            "src/.gitignore": "*.gen.py\n!keep.tmp\n",
            "src/m.py": "m\n",
            "src/m.gen.py": "ignored by the nested file\n",
            "src/keep.tmp": "re-included by the nested file\n",
            "src/deeper/n.gen.py": "nested rules reach below\n",
            "other/o.gen.py": "nested rules stay in their folder\n",
            ".tomeignore": "docs/\n",
            "docs/d.md": "tomeignore\n",
        },
    )
    ws = discover(tmp_path)
    assert ws.repo_root is None
    assert paths(ws) == [
        ".gitignore",
        ".tomeignore",
        "a.py",
        "other/o.gen.py",
        "src/.gitignore",
        "src/keep.tmp",
        "src/m.py",
        "src/top-only.txt",
    ]
    assert ws.skipped == []

    no_ignores = discover(tmp_path, DiscoverOptions(use_gitignore=False))
    assert "x.tmp" in paths(no_ignores) and "cache/c.py" in paths(no_ignores)
    assert "docs/d.md" not in paths(no_ignores)  # .tomeignore still applies


def test_walk_skips_version_control_folders(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a.py": "a\n",
            ".hg/store/data": "hg\n",
            ".svn/entries": "svn\n",
            "sub/.git/config": "not a work tree git can use, but still skipped\n",
            "sub/b.py": "b\n",
        },
    )
    (tmp_path / "sub" / ".git" / "HEAD").unlink(missing_ok=True)
    ws = discover(tmp_path)
    assert paths(ws) == ["a.py", "sub/b.py"]


def test_walk_reports_default_excluded_folders_once_without_entering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "index.js": "i\n",
            "node_modules/a/index.js": "a\n",
            "node_modules/b/index.js": "b\n",
            "pkg/__pycache__/m.cpython-311.pyc": b"\x00\x01",
        },
    )
    listed: list[str] = []
    real_scandir = os.scandir

    def spy(path):  # type: ignore[no-untyped-def]
        listed.append(Path(path).relative_to(tmp_path).as_posix())
        return real_scandir(path)

    monkeypatch.setattr(workspace.os, "scandir", spy)
    ws = discover(tmp_path)
    assert paths(ws) == ["index.js"]
    assert skips(ws) == {"node_modules/": "default-exclude", "pkg/__pycache__/": "default-exclude"}
    assert sorted(listed) == [".", "pkg"]  # neither excluded folder was entered


@pytest.mark.timeout(20)
def test_symlink_loops_finish_and_links_are_reported(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not ours\n")
    root = tmp_path / "root"
    write_tree(root, {"a/b/file.py": "f\n", "top.py": "t\n"})
    os.symlink(root, root / "a" / "b" / "up")  # a loop to the root
    os.symlink("../..", root / "a" / "b" / "rel-up")  # a relative loop
    os.symlink(outside, root / "escape")  # a folder outside
    os.symlink(outside / "secret.txt", root / "a" / "linked.txt")  # a file outside
    os.symlink("top.py", root / "alias.py")  # a file inside
    os.symlink("nowhere", root / "broken")
    ws = discover(root)
    assert paths(ws) == ["a/b/file.py", "top.py"]
    assert skips(ws) == {
        "a/b/rel-up": "symlink-inside",
        "a/b/up": "symlink-inside",
        "a/linked.txt": "symlink-outside",
        "alias.py": "symlink-inside",
        "broken": "symlink-broken",
        "escape": "symlink-outside",
    }


def test_root_through_a_symlink_is_resolved(tmp_path: Path) -> None:
    write_tree(tmp_path / "real", {"a.py": "a\n"})
    os.symlink(tmp_path / "real", tmp_path / "alias")
    ws = discover(tmp_path / "alias")
    assert ws.root == (tmp_path / "real").resolve()
    assert paths(ws) == ["a.py"]
