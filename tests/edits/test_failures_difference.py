"""A refused hunk says where its closest region differs, and never reads ``similarity 1.00``
unless the region is the hunk's lines exactly; ``tome apply --json`` gives a placeable hunk
one state whether or not another hunk fails.

Data: tome's own ``assistant/worktree.py`` (a real module), and a hunk over its
``_write_manifest`` that writes ``sort_key=True`` where the file has ``sort_keys=True``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.edits import Changeset, HunkFailure, Region
from assistant.edits.failures import first_difference, shown_similarity

SOURCE = (Path(__file__).resolve().parents[2] / "assistant" / "worktree.py").read_text()


def _near_miss() -> tuple[str, int]:
    """A 20-line hunk over the file with one word wrong, and the file line of that word."""
    lines = SOURCE.splitlines()
    i = next(k for k, x in enumerate(lines) if x.startswith("def _write_manifest"))
    body = [" " + x.replace("sort_keys=True", "sort_key=True") for x in lines[i - 14 : i + 6]]
    j = next(k for k, x in enumerate(body) if "mac = _mac" in x)
    body[j] = "-" + body[j][1:]
    body.insert(j + 1, "+" + lines[i - 14 + j] + "  # signed")
    wrong = next(k for k, x in enumerate(lines) if "sort_keys=True" in x and k > i) + 1
    head = f"--- a/worktree.py\n+++ b/worktree.py\n@@ -{i - 13},20 +{i - 13},20 @@\n"
    return head + "\n".join(body) + "\n", wrong


def _failure() -> tuple[HunkFailure, int]:
    patch, wrong = _near_miss()
    (failure,) = Changeset.from_text({"worktree.py": SOURCE}, patch).failures
    return failure, wrong


def test_the_report_shows_the_first_differing_line_and_word() -> None:
    f, wrong = _failure()
    assert f.closest is not None and 0.99 < f.closest.similarity < 1
    text = f.describe()
    assert "(similarity 1.00)" not in text and "(similarity 0.99)" in text
    column = SOURCE.splitlines()[wrong - 1].index("sort_keys") + 1
    assert f"first difference: line {wrong}, column {column}:" in text
    lines = text.splitlines()
    k = next(n for n, x in enumerate(lines) if x.strip().startswith("file: "))
    hunk_line, file_line, carets = lines[k - 1], lines[k], lines[k + 1]
    assert "sort_key=True" in hunk_line and "sort_keys=True" in file_line
    col = carets.index("^")
    assert file_line[col : col + len("sort_keys")] == "sort_keys"
    assert carets.strip() == "^" * len("sort_keys")
    told = f.for_model()
    assert "you wrote `sort_key` where the file has `sort_keys`" in told
    assert f"line {wrong} of the file" in told and "similarity 1.00" not in told


def test_similarity_is_floored_and_one_only_for_the_same_lines() -> None:
    assert shown_similarity(0.9968) == "0.99"
    assert shown_similarity(0.29) == "0.29"
    assert shown_similarity(1.0) == "0.99"  # rounded up from a near miss: not the same
    assert shown_similarity(1.0, identical=True) == "1.00"
    region = Region(3, 4, 1.0, ("a = 1", "b = 2"))
    f = HunkFailure("m.py", 1, 1, "no-match", "not found", ("a = 1", "b = 2"), region)
    assert "(similarity 1.00)" in f.describe()


def test_a_missing_line_is_named_on_its_side() -> None:
    d = first_difference(["x = 1", "y = 2", "z = 3"], ["x = 1", "z = 3"], 10)
    assert d is not None and (d.hunk_line, d.file_line, d.expected) == (2, None, "y = 2")
    d = first_difference(["x = 1", "z = 3"], ["x = 1", "w = 0", "z = 3"], 10)
    assert d is not None and (d.hunk_line, d.file_line, d.found) == (None, 11, "w = 0")
    assert first_difference(["x = 1"], ["x = 1  "], 1) is None


def _apply_json(capsys: pytest.CaptureFixture[str], patch: Path, root: Path) -> dict:
    main(["apply", str(patch), "--check", "--json", "-C", str(root)])
    return json.loads(capsys.readouterr().out)


def test_apply_json_gives_a_placeable_hunk_one_state(make_repo, tmp_path, capsys) -> None:
    root = make_repo({"worktree.py": SOURCE, "a.py": "x = 1\n"})
    good = "--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
    bad, wrong = _near_miss()
    alone, both = tmp_path / "alone.diff", tmp_path / "both.diff"
    alone.write_text(good)
    both.write_text(good + bad)
    ok = _apply_json(capsys, alone, root)
    refused = _apply_json(capsys, both, root)
    assert ok["ok"] is True and refused["ok"] is False
    state = {f["path"]: f["hunks"][0]["state"] for f in refused["files"]}
    assert ok["files"][0]["hunks"][0]["state"] == state["a.py"] == "accepted"
    assert state["worktree.py"] == "failed"
    failure = refused["files"][1]["hunks"][0]["failure"]
    column = SOURCE.splitlines()[wrong - 1].index("sort_keys") + 1
    assert failure["difference"] == {"hunk_line": 16, "file_line": wrong, "column": column,
                                     "wrote": "sort_key", "has": "sort_keys"}  # fmt: skip
    assert (root / "a.py").read_text() == "x = 1\n"
