"""Review state: per-hunk decisions, results from accepted hunks only, counts, diffs."""

from __future__ import annotations

import pytest

from assistant.edits import Changeset, HunkState

FILES = {
    "a.py": "".join(f"line {i}\n" for i in range(1, 31)),
    "gone.py": "bye\n",
}
ANSWER = """\
```diff
--- a/a.py
+++ b/a.py
@@ -2,3 +2,3 @@
 line 2
-line 3
+LINE 3
 line 4
@@ -20,3 +20,4 @@
 line 20
 line 21
+line 21.5
 line 22
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-bye
```
"""


def test_accept_one_hunk_reject_the_other() -> None:
    cs = Changeset.from_text(FILES, ANSWER)
    a = cs["a.py"]
    assert [h.state for h in a.hunks] == [HunkState.PENDING, HunkState.PENDING]
    assert (a.added, a.removed) == (2, 1)
    cs.accept("a.py", 2)
    cs.reject("a.py", 1)
    result = cs.result()
    assert set(result) == {"a.py"}
    assert "line 21.5\n" in (result["a.py"] or "")
    assert "LINE 3" not in (result["a.py"] or "")


def test_accept_all_then_applied_and_delete() -> None:
    cs = Changeset.from_text(FILES, ANSWER)
    cs.accept_all()
    result = cs.result()
    assert result["gone.py"] is None
    assert cs.pending == 0
    cs.mark_applied()
    assert {h.state for f in cs for h in f.hunks} == {HunkState.APPLIED}
    with pytest.raises(ValueError):
        cs.reject("a.py", 1)


def test_hunk_diff_shows_the_file_lines_with_numbers() -> None:
    cs = Changeset.from_text(FILES, ANSWER)
    diff = cs["a.py"].hunk_diff(2)
    assert diff.splitlines()[0] == "@@ -17,9 +17,10 @@"
    assert "+line 21.5" in diff.splitlines()
    assert cs.added == 2 and cs.removed == 2


def test_failed_hunk_is_failed_and_the_rest_reviewable() -> None:
    answer = ANSWER.replace(" line 20\n", " line 99\n").replace(" line 21\n", " line 98\n")
    cs = Changeset.from_text(FILES, answer)
    assert cs["a.py"].hunks[1].state == HunkState.FAILED
    assert len(cs.failures) == 1
    assert "hunk 2 of 2" in cs["a.py"].hunk_diff(2)
    cs.accept_all()
    assert "LINE 3" in (cs.result()["a.py"] or "")
    with pytest.raises(ValueError):
        cs.accept("a.py", 2)


def test_file_diff_is_a_unified_diff() -> None:
    cs = Changeset.from_text(FILES, ANSWER)
    cs.accept("a.py")
    text = cs["a.py"].diff()
    assert text.startswith("--- a/a.py\n+++ b/a.py\n")
    assert "-line 3\n+LINE 3\n" in text
