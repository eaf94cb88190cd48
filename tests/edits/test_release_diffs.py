"""An exact patch is placed exactly: real ``git diff`` hunks of attrs 25.1.0..26.1.0.

The patch is made from the very file it is applied to, so a hunk whose lines repeat in the
file and that sits at its stated line, in a file whose ``@@`` headers agree as ``git diff``
writes them, was placed as ``git apply`` places it: no tolerance is named. Moved lines keep
the note (the numbers are then off). Fixtures and their origin: tests/fixtures/release_diffs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.cli import main

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "release_diffs"
CASES = {"attrs_test_cmp.py": "tests/test_cmp.py", "attrs_init.pyi": "src/attr/__init__.pyi"}


def _read(name: str) -> bytes:
    return (HERE / name).read_bytes()


def _apply_json(make_repo, capsys, tmp_path: Path, rel: str, text: bytes, patch: bytes):
    root = make_repo({rel: text})
    target = tmp_path / "release.patch"
    target.write_bytes(patch)
    code = main(["apply", "--json", str(target), "-C", str(root)])
    report = json.loads(capsys.readouterr().out)
    return code, report, (root / rel).read_bytes()


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reversed"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_release_hunks_are_placed_exactly(make_repo, capsys, tmp_path, name, reverse) -> None:
    before, after = _read(name), _read(f"{name}.after")
    if reverse:
        before, after = after, before
    patch = _read(f"{name}.reversed.patch" if reverse else f"{name}.patch")
    stated = [int(m) for m in re.findall(rb"^@@ -(\d+)", patch, re.M)]
    code, report, result = _apply_json(make_repo, capsys, tmp_path, CASES[name], before, patch)
    assert code == 0 and report["ok"] is True
    (only,) = report["files"]
    assert [(h["start"], h["tolerated"]) for h in only["hunks"]] == [(s, []) for s in stated]
    assert report["tolerated"] == 0
    assert result == after


def test_moved_lines_keep_the_order_note(make_repo, capsys, tmp_path) -> None:
    """Three lines inserted at the top: hunks 1-2 are found 3 lines below their numbers and
    hunks 3-4, whose lines repeat, are placed by the order, which is named."""
    before = b"# one\n# two\n# three\n" + _read("attrs_init.pyi")
    after = b"# one\n# two\n# three\n" + _read("attrs_init.pyi.after")
    patch = _read("attrs_init.pyi.patch")
    code, report, result = _apply_json(make_repo, capsys, tmp_path, CASES["attrs_init.pyi"],
                                       before, patch)  # fmt: skip
    assert code == 0 and result == after
    hunks = report["files"][0]["hunks"]
    assert [h["start"] for h in hunks] == [179, 203, 226, 249, 311]
    notes = [h["tolerated"] for h in hunks]
    assert notes[0] == notes[1] == notes[4] == []
    assert notes[2] and notes[2][0].startswith("placed after the previous hunk")
    assert notes[3] and notes[3][0].startswith("placed after the previous hunk")
    assert report["tolerated"] == 2


def test_a_real_failure_shows_where_the_closest_region_differs(make_repo, capsys, tmp_path):
    """attrs' 25.1.0..26.1.0 diff of the pull request template on its 24.2.0 text: one word
    differs in 37 lines (similarity 0.9993), so the region is not shown as identical."""
    rel = ".github/PULL_REQUEST_TEMPLATE.md"
    text = _read("attrs_pr_template_24.2.0.md")
    patch = _read("attrs_pr_template.md.patch")
    code, report, result = _apply_json(make_repo, capsys, tmp_path, rel, text, patch)
    assert code == 1 and report["ok"] is False and result == text
    (hunk,) = report["files"][0]["hunks"]
    assert hunk["state"] == "failed"
    failure = hunk["failure"]
    assert failure["closest"]["similarity"] < 1
    assert failure["difference"] == {"hunk_line": 14, "file_line": 19, "column": 42,
                                     "wrote": "pull", "has": "your pull"}  # fmt: skip
    target = tmp_path / "release.patch"
    assert main(["apply", "--check", str(target), "-C", str(make_repo({rel: text}))]) == 1
    err = capsys.readouterr()
    out = err.out + err.err
    assert "similarity 1.00" not in out and "(similarity 0.99)" in out
    assert "first difference: line 19, column 42:" in out
    assert "file: ...e-requisite for your your pull request" in out


def test_the_release_bench_reads_non_utf8_names_byte_exactly(tmp_path: Path) -> None:
    """bench/release_diffs.py's ``blobs`` keeps a name that is not UTF-8 (surrogateescape)."""
    import os
    import subprocess

    from bench.release_diffs import blobs

    root = tmp_path / "r"
    root.mkdir()
    name = b"caf\xe9 \t\n.py"
    (root / "ok.py").write_bytes(b"a\n")
    with open(os.fsencode(root) + b"/" + name, "wb") as out:
        out.write(b"b\n")
    run = {"cwd": root, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "main"], **run)
    subprocess.run(["git", "add", "-A"], **run)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], **run
    )
    subprocess.run(["git", "tag", "v1"], **run)
    files = blobs(root, "v1")
    assert files == {"ok.py": b"a\n", name.decode("utf-8", "surrogateescape"): b"b\n"}
