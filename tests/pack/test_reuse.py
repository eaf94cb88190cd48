"""``tome pack`` leaves an output alone when packing again would write the same bytes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant import workspace
from assistant.cli import main

FILES = {
    "src/app.py": "import os\n\n\ndef main():\n    return os.getcwd()\n",
    "src/util.py": "def add(a, b):\n    return a + b\n",
    "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary",
}


@pytest.fixture
def repo(make_repo, monkeypatch: pytest.MonkeyPatch) -> Path:
    # every file counts as settled (the real rule: unchanged for two seconds)
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))
    return make_repo(FILES)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["pack", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def stamp(path: Path) -> tuple[int, int, int]:
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns, info.st_size


def test_an_unchanged_tree_leaves_the_output_alone(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = repo.parent / "pack.xml"
    first = run(capsys, str(repo), "--output", str(out))
    written = stamp(out)
    text = out.read_text(encoding="utf-8")
    again = run(capsys, str(repo), "--output", str(out))
    assert again == first  # the same summary, from what was recorded
    assert stamp(out) == written  # not rewritten: the same inode and mtime
    assert out.read_text(encoding="utf-8") == text
    assert main(["pack", str(repo), "--output", str(out)]) == 0
    assert "already holds it" in capsys.readouterr().out


def test_a_changed_file_is_packed_again(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = repo.parent / "pack.xml"
    run(capsys, str(repo), "--output", str(out))
    info = os.stat(repo / "src/util.py")
    (repo / "src/util.py").write_text("def add(a, b):\n    return b + a\n")  # same size
    os.utime(repo / "src/util.py", ns=(info.st_atime_ns, info.st_mtime_ns))  # mtime set back
    run(capsys, str(repo), "--output", str(out))
    assert "return b + a" in out.read_text(encoding="utf-8")


def test_an_edited_output_is_written_again(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = repo.parent / "pack.xml"
    run(capsys, str(repo), "--output", str(out))
    text = out.read_text(encoding="utf-8")
    out.write_text("my notes\n", encoding="utf-8")
    run(capsys, str(repo), "--output", str(out))
    assert out.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "change",
    [
        ["--format", "markdown"],
        ["--budget", "200"],
        ["--task", "add numbers"],
        ["--encoding", "cl100k_base"],
        ["--exclude", "src/app.py"],
    ],
)
def test_a_different_request_is_packed_again(
    repo: Path, capsys: pytest.CaptureFixture[str], change: list[str]
) -> None:
    out = repo.parent / "pack.out"
    run(capsys, str(repo), "--output", str(out))
    before = out.read_text(encoding="utf-8")
    summary = run(capsys, str(repo), "--output", str(out), *change)
    assert out.read_text(encoding="utf-8") != before
    fresh = repo.parent / "fresh.out"
    assert run(capsys, str(repo), "--output", str(fresh), "--no-cache", *change) == {
        **summary,
        "output": str(fresh),
    }
    assert fresh.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_fresh_files_are_always_packed_again(make_repo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(FILES)  # files written this instant are not trusted by their stat
    out = root.parent / "pack.xml"
    run(capsys, str(root), "--output", str(out))
    written = stamp(out)
    run(capsys, str(root), "--output", str(out))
    assert stamp(out) != written


def _meta_files() -> list[Path]:
    from assistant.cache import Cache

    path = Cache().path
    assert path is not None
    return sorted((path.parent / "outputs").glob("*.marshal"))


def test_packs_to_new_files_share_one_meta_written_once(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run(capsys, str(repo), "--output", str(repo.parent / "a.xml"))
    (meta,) = _meta_files()
    written = stamp(meta)
    second = run(capsys, str(repo), "--output", str(repo.parent / "b.xml"))
    assert _meta_files() == [meta] and stamp(meta) == written  # not rewritten
    assert {**second, "output": ""} == {**first, "output": ""}
    # both outputs are still known: each is left alone
    for name, summary in (("a.xml", first), ("b.xml", second)):
        out = repo.parent / name
        before = stamp(out)
        assert run(capsys, str(repo), "--output", str(out)) == summary
        assert stamp(out) == before


def test_a_meta_replaced_or_damaged_means_packing_again(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = repo.parent / "pack.xml"
    first = run(capsys, str(repo), "--output", str(out))
    text = out.read_text(encoding="utf-8")
    (meta,) = _meta_files()
    for damage in (b"0" * 40 + meta.read_bytes()[40:], meta.read_bytes()[:40] + b"\xffjunk"):
        meta.write_bytes(damage)
        written = stamp(out)
        assert run(capsys, str(repo), "--output", str(out)) == first
        assert stamp(out) != written  # packed and written again, the same bytes
        assert out.read_text(encoding="utf-8") == text
        assert meta.read_bytes() != damage  # the meta written again too
