"""``tome apply`` and ``tome undo`` on real git repositories."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from assistant.cli import main

from .conftest import CASES, FIXTURES, read_tree


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", CASES)
def test_apply_and_undo_every_golden_case(make_repo, capsys, case: str) -> None:
    before = read_tree(FIXTURES / case / "before")
    root = make_repo(before)
    code, out, _err = run(capsys, "apply", str(FIXTURES / case / "response"), "-C", str(root))
    assert code == 0, out
    assert read_tree(root) == read_tree(FIXTURES / case / "after")
    code, out, _err = run(capsys, "undo", "-C", str(root))
    assert code == 0 and "reverted the last apply" in out
    assert read_tree(root) == before


def test_check_validates_and_writes_nothing(make_repo, capsys, tmp_path: Path) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    patch = tmp_path / "p.txt"
    patch.write_text("a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n")
    code, out, _ = run(capsys, "apply", str(patch), "--check", "-C", str(root))
    assert code == 0 and "would change 1 file" in out
    assert (root / "a.py").read_text() == "x = 1\n"
    assert not (root / ".tome").exists()


def test_failing_hunk_exits_1_with_report_and_writes_nothing(make_repo, capsys, tmp_path) -> None:
    root = make_repo({"a.py": "x = 1\n", "b.py": "y = 1\n"})
    patch = tmp_path / "p.txt"
    patch.write_text(
        "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n"
        "b.py\n<<<<<<< SEARCH\nz = 1\n=======\nz = 2\n>>>>>>> REPLACE\n"
    )
    code, _out, err = run(capsys, "apply", str(patch), "-C", str(root))
    assert code == 1
    assert "b.py, hunk 1 of 1" in err and "closest region: lines 1-1" in err
    assert (root / "a.py").read_text() == "x = 1\n"
    code, out, _ = run(capsys, "apply", str(patch), "--json", "-C", str(root))
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    b = next(f for f in report["files"] if f["path"] == "b.py")
    assert b["hunks"][0]["state"] == "failed"
    assert b["hunks"][0]["failure"]["kind"] == "no-match"
    assert b["hunks"][0]["failure"]["closest"]["similarity"] > 0.5


def test_apply_from_stdin_with_json(make_repo, capsys, monkeypatch) -> None:
    root = make_repo({"a.py": "x = 1\r\n"})
    diff = "--- a/a.py\n+++ b/a.py\n@@ -9 +9 @@\n-x = 1\n+x = 2\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(diff))
    code, out, _ = run(capsys, "apply", "-", "--json", "-C", str(root))
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["journal"]
    assert report["files"][0]["hunks"][0] == {
        "index": 1, "state": "applied", "tolerated": [], "start": 1, "added": 1, "removed": 1
    }  # fmt: skip
    assert (root / "a.py").read_bytes() == b"x = 2\r\n"


def test_path_escape_is_refused_on_the_cli(make_repo, capsys, tmp_path) -> None:
    root = make_repo({"a.py": "x\n"})
    patch = tmp_path / "p.txt"
    patch.write_text("*** Begin Patch\n*** Add File: ../escape.py\n+boom\n*** End Patch\n")
    code, _out, err = run(capsys, "apply", str(patch), "-C", str(root))
    assert code == 1 and "'..' would leave the repository" in err
    assert not (tmp_path / "escape.py").exists()


def test_ambiguous_edit_writes_nothing(make_repo, capsys, tmp_path) -> None:
    root = make_repo({"a.py": "x = 1\nx = 1\n"})
    patch = tmp_path / "p.txt"
    patch.write_text("a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n")
    code, _out, err = run(capsys, "apply", str(patch), "-C", str(root))
    assert code == 1 and "occur 2 times" in err
    assert (root / "a.py").read_text() == "x = 1\nx = 1\n"


def test_undo_with_nothing_to_undo(make_repo, capsys) -> None:
    root = make_repo({"a.py": "x\n"})
    code, _out, err = run(capsys, "undo", "-C", str(root))
    assert code == 1 and "nothing to undo" in err
