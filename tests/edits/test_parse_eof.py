"""The end of a file: ``\\ No newline at end of file`` on either side, in real ``git diff``
output and in ``*** Begin Patch``, and trailing blank lines a diff removes. Every git case is
applied by ``git apply`` and by ``tome apply`` and the bytes compared."""

from __future__ import annotations

import colorsys
from pathlib import Path

import pytest

from assistant.edits import apply_edits, parse_edits

from .realdiff import git_apply, real_diff, tome_apply

# a real file: CPython's colorsys.py, as this interpreter ships it
SOURCE = Path(colorsys.__file__).read_bytes()
BODY = SOURCE.rstrip(b"\n")  # the same file without its final newline
LINES = SOURCE.splitlines(keepends=True)

CASES = {
    # removing the last line of a file that has no final newline
    "remove-last-line": (BODY, b"".join(LINES[:-1])),
    # adding the final newline (only the marker changes)
    "add-final-newline": (BODY, SOURCE),
    # removing it
    "remove-final-newline": (SOURCE, BODY),
    # changing the last line, still without a final newline
    "change-last-line-keep-lack": (BODY, BODY + b"  # changed"),
    # appending lines after a last line that had no final newline
    "append-after-unterminated": (BODY, SOURCE + b"\n\ndef extra():\n    return 1\n"),
    # an edit in the middle keeps the lack of a final newline (context reaches the end)
    "near-end-keep-lack": (BODY, BODY.replace(b"# Cannot get here", b"# Unreachable")),
    # deleting trailing blank lines
    "trailing-blank-lines-removed": (SOURCE + b"\n\n\n", SOURCE),
    "trailing-blank-lines-removed-unterminated": (SOURCE + b"\n\n", BODY),
    "trailing-blank-lines-added": (SOURCE, SOURCE + b"\n\n"),
}


def _before_blank() -> int:
    """A line whose hunk (three lines of context) ends with a blank context line."""
    return next(
        i
        for i in range(len(LINES) - 4)
        if LINES[i + 3] == b"\n"
        and b"\n" not in (LINES[i], LINES[i + 1], LINES[i + 2])
        and all(x == b"\n" or LINES[i + 4 + k] != b"\n" for k, x in enumerate(LINES[i + 4 : i + 7]))
    )


_AT = _before_blank()
BLANK_CASES = {
    # the hunk's last context line is blank
    "blank-context-at-hunk-end": (
        SOURCE,
        b"".join([*LINES[:_AT], LINES[_AT].rstrip(b"\n") + b"  # changed\n", *LINES[_AT + 1 :]]),
    ),
    # two of three trailing blank lines removed: a blank context line before the removals
    "trailing-blank-lines-partly-removed": (SOURCE + b"\n\n\n", SOURCE + b"\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_git_diff_at_end_of_file_gives_git_apply_bytes(make_repo, tmp_path, case) -> None:
    old, new = CASES[case]
    patch = real_diff(make_repo, {"colorsys.py": old}, {"colorsys.py": new})
    expected = git_apply(make_repo, {"colorsys.py": old}, patch)
    assert expected["colorsys.py"] == new  # git itself reproduces the change
    code, got = tome_apply(make_repo, tmp_path, {"colorsys.py": old}, patch)
    assert code == 0
    assert got == expected


@pytest.mark.parametrize("case", sorted(BLANK_CASES))
def test_blank_context_lines_that_lost_their_space(make_repo, tmp_path, case) -> None:
    """Models (and editors) strip the single space of a blank context line; the hunk is
    still read whole and gives git's bytes."""
    old, new = BLANK_CASES[case]
    patch = real_diff(make_repo, {"colorsys.py": old}, {"colorsys.py": new})
    stripped = b"\n".join(b"" if line == b" " else line for line in patch.split(b"\n"))
    assert stripped != patch
    expected = git_apply(make_repo, {"colorsys.py": old}, patch)
    code, got = tome_apply(make_repo, tmp_path, {"colorsys.py": old}, stripped)
    assert code == 0
    assert got == expected


def test_new_and_deleted_files_without_final_newline(make_repo, tmp_path) -> None:
    before = {"gone.py": BODY, "keep.py": b"x = 1\n"}
    after = {"gone.py": None, "new.py": BODY}
    patch = real_diff(make_repo, before, after, "--no-renames")
    assert patch.count(b"\\ No newline at end of file") == 2
    expected = git_apply(make_repo, before, patch)
    code, got = tome_apply(make_repo, tmp_path, before, patch)
    assert code == 0
    assert got == expected
    assert got["new.py"] == BODY and "gone.py" not in got


def test_the_marker_is_kept_in_the_hunk_per_side(make_repo) -> None:
    patch = real_diff(make_repo, {"a.py": BODY}, {"a.py": BODY + b"  # changed"}).decode()
    (edit,) = parse_edits(patch)
    (hunk,) = edit.hunks
    assert hunk.old_no_newline and hunk.new_no_newline and hunk.at_eof
    patch = real_diff(make_repo, {"a.py": BODY}, {"a.py": SOURCE}).decode()
    (hunk,) = parse_edits(patch)[0].hunks
    assert hunk.old_no_newline and not hunk.new_no_newline and hunk.at_eof


def test_the_marker_places_a_repeated_hunk_at_the_end(make_repo, tmp_path) -> None:
    """Two places hold the hunk's lines; the marker says the hunk ends the file."""
    old = b"def f():\n    return 1\n\n\ndef f():\n    return 1"
    new = b"def f():\n    return 1\n\n\ndef f():\n    return 2\n"
    patch = real_diff(make_repo, {"a.py": old}, {"a.py": new}, "-U1")
    expected = git_apply(make_repo, {"a.py": old}, patch)
    code, got = tome_apply(make_repo, tmp_path, {"a.py": old}, patch)
    assert (code, got) == (0, expected)


BEGIN = "*** Begin Patch\n*** Update File: a.py\n"


@pytest.mark.parametrize(
    ("old", "body", "new"),
    [
        # removing the final newline
        (
            "x = 1\ny = 2\n",
            " x = 1\n-y = 2\n+y = 2\n\\ No newline at end of file\n",
            "x = 1\ny = 2",
        ),
        # adding it
        (
            "x = 1\ny = 2",
            " x = 1\n-y = 2\n\\ No newline at end of file\n+y = 2\n",
            "x = 1\ny = 2\n",
        ),
        # removing the last line of a file without one
        ("x = 1\ny = 2", " x = 1\n-y = 2\n\\ No newline at end of file\n", "x = 1\n"),
        # the marker after a context line: both sides lack it
        ("x = 1\ny = 2", "-x = 1\n+x = 3\n y = 2\n\\ No newline at end of file\n", "x = 3\ny = 2"),
    ],
)
def test_begin_patch_honours_the_marker(old: str, body: str, new: str) -> None:
    patch = BEGIN + body + "*** End Patch\n"
    assert apply_edits({"a.py": old}, patch) == {"a.py": new}
    (edit,) = parse_edits(patch)
    assert all("No newline" not in text for hunk in edit.hunks for _op, text in hunk.lines)


def test_begin_patch_add_file_without_final_newline() -> None:
    patch = "*** Begin Patch\n*** Add File: n.py\n+x = 1\n+y = 2\n\\ No newline at end of file\n*** End Patch\n"
    assert apply_edits({}, patch) == {"n.py": "x = 1\ny = 2"}


def test_blank_lines_before_end_of_file_in_begin_patch() -> None:
    """Blank lines right before ``*** End of File`` are the file's last (context) lines."""
    old = "a = 1\n\nb = 2\n\n"
    patch = BEGIN + " a = 1\n\n-b = 2\n+b = 3\n\n*** End of File\n*** End Patch\n"
    assert apply_edits({"a.py": old}, patch) == {"a.py": "a = 1\n\nb = 3\n\n"}


def test_without_a_marker_the_files_own_final_newline_is_kept() -> None:
    """Models forget the marker: a diff that does not say keeps the file's ending."""
    patch = "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3\n"
    assert apply_edits({"a.py": "x = 1\ny = 2"}, patch) == {"a.py": "x = 1\ny = 3"}
    assert apply_edits({"a.py": "x = 1\ny = 2\n"}, patch) == {"a.py": "x = 1\ny = 3\n"}
