"""The ``@@`` headers tome renders for a hunk are git's: a new file is ``-0,0 +1,n``, its
lines are numbered from 1, and ``git apply --check`` accepts the rendered hunks.

Data: tome's own ``assistant/edits/hunks.py`` (a real module), edited in three places and
diffed by real git, and added as a new file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from assistant.edits import Changeset, FileReview
from tui.diffrows import unified_rows

SOURCE = (Path(__file__).resolve().parents[2] / "assistant" / "edits" / "hunks.py").read_text()


def _git(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, text=True)


def _rendered_patch(f: FileReview, old: str, new: str) -> str:
    """The file's headers, then every hunk as tome renders it (``hunk_diff``)."""
    body = "".join(f.hunk_diff(h.index) for h in f.hunks)
    return f"--- {old}\n+++ {new}\n{body}"


def test_new_file_hunk_is_numbered_from_one(make_repo) -> None:
    root = make_repo({"README": "x\n"})
    lines = SOURCE.splitlines()[:3]
    answer = "--- /dev/null\n+++ b/pkg/hunks.py\n@@ -0,0 +1,3 @@\n" + "".join(
        f"+{x}\n" for x in lines
    )
    f = Changeset.from_text({}, answer)["pkg/hunks.py"]
    diff = f.hunk_diff(1)
    assert diff.splitlines()[0] == "@@ -0,0 +1,3 @@"
    rows = [r for r in unified_rows(f) if r.kind == "added"]
    assert [r.new_no for r in rows] == [1, 2, 3]
    patch = _rendered_patch(f, "/dev/null", "b/pkg/hunks.py")
    check = _git(root, "apply", "--check", "-", stdin=patch)
    assert check.returncode == 0, check.stderr
    assert _git(root, "apply", "-", stdin=patch).returncode == 0
    assert (root / "pkg" / "hunks.py").read_text() == "\n".join(lines) + "\n"


def test_rendered_hunks_of_a_real_diff_apply_with_git(make_repo) -> None:
    root = make_repo({"hunks.py": SOURCE})
    lines = SOURCE.splitlines()
    edited = list(lines)
    edited.insert(0, "# edited by a test")  # a pure insertion before line 1
    k = edited.index("class Hunk:")
    edited[k + 2 : k + 2] = ["", "    # a note", ""]
    edited[-1] = edited[-1] + "  # the last line"
    (root / "hunks.py").write_text("\n".join(edited) + "\n")
    real = _git(root, "diff", "--no-color").stdout
    assert real.count("\n@@ ") == 3  # three hunks, as git cut them
    _git(root, "checkout", "--", "hunks.py")
    f = Changeset.from_text({"hunks.py": SOURCE}, real)["hunks.py"]
    assert [h.failure for h in f.hunks] == [None, None, None]
    rendered = _rendered_patch(f, "a/hunks.py", "b/hunks.py")
    assert rendered.splitlines()[2] == "@@ -0,0 +1,1 @@" or rendered.splitlines()[2].startswith(
        "@@ -1,"
    )
    check = _git(root, "apply", "--check", "-", stdin=rendered)
    assert check.returncode == 0, check.stderr
    assert _git(root, "apply", "-", stdin=rendered).returncode == 0
    assert (root / "hunks.py").read_text() == "\n".join(edited) + "\n"


def test_insertion_into_an_empty_file(make_repo) -> None:
    """A file that exists but is empty: its old side is ``-0,0`` too, its new side ``+1``."""
    root = make_repo({"empty.py": ""})
    answer = "--- a/empty.py\n+++ b/empty.py\n@@ -0,0 +1,2 @@\n+import os\n+import sys\n"
    f = Changeset.from_text({"empty.py": ""}, answer)["empty.py"]
    assert f.hunk_diff(1).splitlines()[0] == "@@ -0,0 +1,2 @@"
    patch = _rendered_patch(f, "a/empty.py", "b/empty.py")
    check = _git(root, "apply", "--check", "-", stdin=patch)
    assert check.returncode == 0, check.stderr
