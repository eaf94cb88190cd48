"""The matching ladder and the text rules: unique or fail, never the model's context."""

from __future__ import annotations

import pytest

from assistant.edits import HunkMatchError, PathRefused, apply_edits
from assistant.errors import EditError, MatchError


def sr(path: str, search: str, replace: str) -> str:
    return f"{path}\n```\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


def test_two_equal_candidates_fail_and_name_both() -> None:
    files = {"a.py": "x = 1\ny = 2\n\nx = 1\ny = 2\n"}
    with pytest.raises(MatchError) as info:
        apply_edits(files, sr("a.py", "x = 1\n", "x = 3\n"))
    err = info.value
    assert isinstance(err, HunkMatchError)
    assert err.failures[0].kind == "ambiguous"
    assert err.failures[0].candidates == (1, 4)
    assert "refusing to guess" in str(err)


def test_a_line_number_between_two_candidates_does_not_break_a_tie() -> None:
    files = {"a.py": "a\nb\nc\na\nb\nc\n"}
    diff = "--- a/a.py\n+++ b/a.py\n@@ -3,3 +3,3 @@\n a\n-b\n+B\n c\n"
    with pytest.raises(HunkMatchError) as info:
        apply_edits(files, diff)
    assert "its line number 3 is not clearly nearer one of them" in str(info.value)


def test_every_failing_hunk_is_reported_at_once() -> None:
    files = {"a.py": "one\ntwo\n", "b.py": "three\n"}
    text = sr("a.py", "uno\n", "1\n") + sr("b.py", "tres\n", "3\n") + sr("a.py", "two\n", "2\n")
    with pytest.raises(HunkMatchError) as info:
        apply_edits(files, text)
    assert [(f.path, f.hunk) for f in info.value.failures] == [("a.py", 1), ("b.py", 1)]


def test_failure_names_closest_region_and_similarity() -> None:
    files = {"a.py": "def f(a, b):\n    return a + b\n\n\ndef g():\n    pass\n"}
    with pytest.raises(HunkMatchError) as info:
        apply_edits(files, sr("a.py", "def f(a, c):\n    return a + c\n", "x\n"))
    f = info.value.failures[0]
    assert f.closest is not None
    assert (f.closest.start, f.closest.end) == (1, 2)
    assert 0.8 < f.closest.similarity < 1.0
    assert "lines 1-2" in f.describe()
    assert "Resend this edit" in info.value.for_model()
    assert "def f(a, b):" in info.value.for_model()


def test_trailing_whitespace_tolerated_and_file_context_kept() -> None:
    files = {"a.py": "a = 1   \nb = 2\nc = 3\n"}
    out = apply_edits(files, sr("a.py", "a = 1\nb = 2\n", "a = 1\nb = 20\n"))
    assert out["a.py"] == "a = 1   \nb = 20\nc = 3\n"


def test_uniform_indent_offset_reindents_the_replacement() -> None:
    files = {"a.py": "class A:\n\tdef f(self):\n\t\treturn 1\n"}
    out = apply_edits(files, sr("a.py", "def f(self):\n\treturn 1\n", "def f(self):\n\treturn 2\n"))
    assert out["a.py"] == "class A:\n\tdef f(self):\n\t\treturn 2\n"


def test_mixed_indent_offsets_do_not_match() -> None:
    files = {"a.py": "if x:\n    y = 1\n    z = 2\n"}
    with pytest.raises(HunkMatchError):
        apply_edits(files, sr("a.py", "if x:\n  y = 1\n    z = 2\n", "if x:\n  y = 3\n    z = 2\n"))


def test_one_left_out_context_line_between_context() -> None:
    files = {"a.py": "a\nb\nc\nd\ne\n"}
    out = apply_edits(files, sr("a.py", "a\nc\nd\ne\n", "a\nc\nd\nE\n"))
    assert out["a.py"] == "a\nb\nc\nd\nE\n"


def test_one_extra_context_line() -> None:
    files = {"a.py": "a\nb\nd\ne\n"}
    out = apply_edits(files, sr("a.py", "a\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n"))
    assert out["a.py"] == "a\nb\nd\nE\n"


def test_left_out_line_next_to_a_change_is_refused() -> None:
    files = {"a.py": "a\nb\nc\nd\n"}
    diff = "--- a/a.py\n+++ b/a.py\n@@\n a\n+new\n c\n d\n"
    with pytest.raises(HunkMatchError):
        apply_edits(files, diff)


def test_elision_keeps_the_elided_lines_and_a_real_ellipsis_still_matches() -> None:
    files = {"p.pyi": "class P(Protocol):\n    def f(self) -> int:\n        ...\n"}
    out = apply_edits(files, sr("p.pyi", "    def f(self) -> int:\n        ...\n",
                                "    def f(self) -> str:\n        ...\n"))  # fmt: skip
    assert out["p.pyi"] == "class P(Protocol):\n    def f(self) -> str:\n        ...\n"


def test_whole_file_that_elides_code_is_refused() -> None:
    files = {"a.py": "import os\n\n\ndef f():\n    return 1\n"}
    text = "a.py\n```python\nimport os\n\n# ... rest of the code unchanged ...\n```\n"
    with pytest.raises(HunkMatchError) as info:
        apply_edits(files, text)
    assert info.value.failures[0].kind == "elided"


@pytest.mark.parametrize("eol", ["\r\n", "\n"])
@pytest.mark.parametrize("final", [True, False])
def test_line_endings_and_final_newline_are_kept(eol: str, final: bool) -> None:
    body = eol.join(["a", "b", "c"]) + (eol if final else "")
    out = apply_edits({"a.txt": body}, sr("a.txt", "b\nc\n", "B\nc\nd\n"))
    assert out["a.txt"] == eol.join(["a", "B", "c", "d"]) + (eol if final else "")


def test_mixed_endings_keep_each_untouched_line() -> None:
    body = "a\r\nb\nc\r\nd\r\n"
    out = apply_edits({"m.txt": body}, sr("m.txt", "b\nc\n", "b\nx\nc\n"))
    assert out["m.txt"] == "a\r\nb\nx\r\nc\r\nd\r\n"


def test_bom_is_kept() -> None:
    out = apply_edits({"b.py": "\ufeffx = 1\n"}, sr("b.py", "x = 1\n", "x = 2\n"))
    assert out["b.py"] == "\ufeffx = 2\n"


@pytest.mark.parametrize("path", ["/etc/passwd", "../x.py", "a/../../x", ".git/config",
                                  "sub/.git/hooks/pre-commit", "C:\\x.py", ".tome/journal/x"])  # fmt: skip
def test_paths_are_confined(path: str) -> None:
    with pytest.raises(PathRefused) as info:
        apply_edits({}, sr(path, "", "x\n"))
    assert info.value.path == path
    assert isinstance(info.value, EditError)


def test_delete_missing_and_create_existing_fail() -> None:
    with pytest.raises(HunkMatchError) as info:
        apply_edits({"a.py": "x\n"}, "*** Begin Patch\n*** Add File: a.py\n+y\n"
                    "*** Delete File: b.py\n*** End Patch\n")  # fmt: skip
    assert [f.kind for f in info.value.failures] == ["exists", "missing-file"]


def test_search_replace_with_empty_search_creates_a_file() -> None:
    assert apply_edits({}, sr("new.py", "", "x = 1\n")) == {"new.py": "x = 1\n"}


def test_unordered_search_blocks_and_ordered_diff_hunks() -> None:
    files = {"a.py": "a\nb\nc\nd\n"}
    text = sr("a.py", "c\n", "C\n") + sr("a.py", "a\n", "A\n")
    assert apply_edits(files, text) == {"a.py": "A\nb\nC\nd\n"}


def test_overlapping_hunks_fail() -> None:
    files = {"a.py": "a\nb\nc\n"}
    text = sr("a.py", "a\nb\n", "x\n") + sr("a.py", "b\nc\n", "y\n")
    with pytest.raises(HunkMatchError) as info:
        apply_edits(files, text)
    assert info.value.failures[0].kind == "overlap"


def test_patch_anchor_breaks_a_tie() -> None:
    files = {"a.py": "def f():\n    return 1\n\ndef g():\n    return 1\n"}
    text = "*** Begin Patch\n*** Update File: a.py\n@@ def g():\n-    return 1\n+    return 2\n*** End Patch\n"
    assert apply_edits(files, text)["a.py"] == "def f():\n    return 1\n\ndef g():\n    return 2\n"


def test_end_of_file_marker_places_the_hunk() -> None:
    files = {"a.py": "x\ny\nx\n"}
    text = "*** Begin Patch\n*** Update File: a.py\n@@\n-x\n+z\n*** End of File\n*** End Patch\n"
    assert apply_edits(files, text)["a.py"] == "x\ny\nz\n"
