"""Line endings of new files: a new file's lines keep the endings the answer gave them (CRLF
stays CRLF), in real git diffs, ``*** Add File:`` and whole-file blocks; existing files keep
their own dominant ending."""

from __future__ import annotations

import colorsys
from pathlib import Path

from assistant.edits import apply_edits

from .realdiff import git_apply, real_diff, tome_apply

# CPython's colorsys.py saved with Windows line endings
CRLF = Path(colorsys.__file__).read_bytes().replace(b"\n", b"\r\n")
assert CRLF.count(b"\r\n") > 100


def test_git_diff_of_a_new_crlf_file(make_repo, tmp_path) -> None:
    before = {"README": b"colour helpers\n"}
    after = {"win/colorsys.py": CRLF, "win/short.txt": b"one\r\ntwo"}
    patch = real_diff(make_repo, before, after)
    assert b"+ONE_THIRD = 1.0/3.0\r\n" in patch
    expected = git_apply(make_repo, before, patch)
    code, got = tome_apply(make_repo, tmp_path, before, patch)
    assert (code, got) == (0, expected)
    assert got["win/colorsys.py"] == CRLF and got["win/short.txt"] == b"one\r\ntwo"


def test_git_diff_of_an_existing_crlf_file_keeps_crlf(make_repo, tmp_path) -> None:
    new = CRLF.replace(b"ONE_THIRD = 1.0/3.0\r\n", b"ONE_THIRD = 1.0/3.0\r\nHALF = 0.5\r\n")
    patch = real_diff(make_repo, {"c.py": CRLF}, {"c.py": new})
    expected = git_apply(make_repo, {"c.py": CRLF}, patch)
    code, got = tome_apply(make_repo, tmp_path, {"c.py": CRLF}, patch)
    assert (code, got) == (0, expected)


def test_an_existing_lf_file_keeps_lf_whatever_the_answer_ends_lines_with() -> None:
    answer = "--- a/a.py\r\n+++ b/a.py\r\n@@ -1 +1,2 @@\r\n x = 1\r\n+y = 2\r\n"
    assert apply_edits({"a.py": "x = 1\n"}, answer) == {"a.py": "x = 1\ny = 2\n"}


def test_begin_patch_add_file_with_crlf_lines() -> None:
    answer = "*** Begin Patch\n*** Add File: w.bat\n+@echo off\r\n+echo hi\r\n*** End Patch\n"
    assert apply_edits({}, answer) == {"w.bat": "@echo off\r\necho hi\r\n"}


def test_whole_file_block_of_a_new_file_with_crlf_lines() -> None:
    answer = "w.bat\n```\n@echo off\r\necho hi\r\n```\n"
    assert apply_edits({}, answer) == {"w.bat": "@echo off\r\necho hi\r\n"}
    # an existing LF file rewritten by a CRLF block stays LF
    assert apply_edits({"w.bat": "@echo on\n"}, answer) == {"w.bat": "@echo off\necho hi\n"}


def test_search_replace_lines_are_matched_without_their_cr() -> None:
    answer = "a.py\n<<<<<<< SEARCH\r\nx = 1\r\n=======\r\nx = 2\r\n>>>>>>> REPLACE\r\n"
    assert apply_edits({"a.py": "x = 1\r\n"}, answer) == {"a.py": "x = 2\r\n"}
