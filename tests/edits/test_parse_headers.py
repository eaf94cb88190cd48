"""Diff headers: two names are a rename only when the diff says so; timestamps are not part
of a path; a diff with no hunks, or hunks that change nothing, is not a success."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.edits import FileEdit, Hunk, HunkMatchError, apply_edits, parse_edits, plan_edits
from assistant.store import edits_from_json, edits_to_json
from tui.state import ReviewState

from .realdiff import git_apply, real_diff, tome_apply, tree

# the start of CPython's Lib/test/test_cext/extension.c (PSF licence)
C_SOURCE = b"""\
// gh-116869: Basic C test extension to check that the Python C API
// does not emit C compiler warnings.

// Always enable assertions
#undef NDEBUG

#include "Python.h"

static PyObject *
_testcext_add(PyObject *Py_UNUSED(module), PyObject *args)
{
    long i, j, res;
    if (!PyArg_ParseTuple(args, "ll:foo", &i, &j)) {
        return NULL;
    }
    res = i + j;
    return PyLong_FromLong(res);
}
"""
C_CHANGED = C_SOURCE.replace(b"res = i + j;", b"res = i + j;  /* may overflow */")


def _diff_u(tmp_path: Path, old_name: str, new_name: str) -> bytes:
    """Real ``diff -u OLD NEW`` output (headers with tab and timestamp) of the C file."""
    work = tmp_path / "diff-u"
    work.mkdir(exist_ok=True)
    (work / old_name).write_bytes(C_SOURCE)
    (work / new_name).write_bytes(C_CHANGED)
    done = subprocess.run(["diff", "-u", old_name, new_name], cwd=work, capture_output=True)
    assert done.returncode == 1 and b"\t" in done.stdout.splitlines()[0]
    return done.stdout


def test_diff_u_of_two_scratch_names_edits_the_file_that_exists(make_repo, tmp_path) -> None:
    """``--- ext.c <ts>`` / ``+++ ext.c.new <ts>``: ext.c is edited in place, nothing renamed
    (before: ext.c deleted and ext.c.new written)."""
    patch = _diff_u(tmp_path, "ext.c", "ext.c.new")
    expected = dict(tree(make_repo({"ext.c": C_SOURCE})))
    expected["ext.c"] = C_CHANGED
    code, got = tome_apply(make_repo, tmp_path, {"ext.c": C_SOURCE}, patch)
    assert (code, got) == (0, expected)
    # either side: the one that exists is edited (as patch picks)
    patch = _diff_u(tmp_path, "ext.c.orig", "ext.c")
    code, got = tome_apply(make_repo, tmp_path, {"ext.c": C_SOURCE}, patch)
    assert (code, got) == (0, expected)


@pytest.mark.parametrize(("old", "new"), [("before.c", "after.c"), ("original.c", "modified.c")])
def test_two_names_neither_in_the_repository_are_refused(make_repo, tmp_path, capsys, old, new):
    patch = _diff_u(tmp_path, old, new)
    code, got = tome_apply(make_repo, tmp_path, {"ext.c": C_SOURCE}, patch)
    err = capsys.readouterr().err
    assert code == 1 and got == {"ext.c": C_SOURCE}
    assert f"{old} (---) and {new} (+++)" in err and "neither exists" in err


def test_two_names_both_existing_and_different_are_refused(make_repo, tmp_path, capsys) -> None:
    files = {"a.c": C_SOURCE, "b.c": C_SOURCE + b"\n// b\n"}
    patch = real_diff(make_repo, files, {"a.c": C_CHANGED}).replace(b"b/a.c", b"b/b.c")
    code, got = tome_apply(make_repo, tmp_path, files, patch)
    err = capsys.readouterr().err
    assert code == 1 and got == files
    assert "a.c (---) and b.c (+++)" in err and "both exist" in err


def test_git_headers_with_two_names_but_no_rename_lines(make_repo, tmp_path) -> None:
    """``diff --git a/x.py b/x_new.py`` with no ``rename``/``similarity`` lines edits x.py."""
    patch = real_diff(make_repo, {"x.py": C_SOURCE}, {"x.py": C_CHANGED})
    patch = patch.replace(b"b/x.py", b"b/x_new.py")
    assert b"diff --git a/x.py b/x_new.py" in patch
    code, got = tome_apply(make_repo, tmp_path, {"x.py": C_SOURCE}, patch)
    assert (code, got) == (0, {"x.py": C_CHANGED})
    (edit,) = parse_edits(patch.decode())
    assert (edit.path, edit.move_to, edit.other_path) == ("x.py", None, "x_new.py")
    assert edit.paths == ("x.py", "x_new.py")


def test_a_real_rename_is_still_a_rename(make_repo, tmp_path) -> None:
    before = {"lib/ext.c": C_SOURCE}
    patch = real_diff(make_repo, before, {"lib/ext.c": None, "src/ext.c": C_CHANGED}, "-M")
    assert b"rename from lib/ext.c" in patch and b"similarity index" in patch
    expected = git_apply(make_repo, before, patch)
    code, got = tome_apply(make_repo, tmp_path, before, patch)
    assert (code, got) == (0, expected)
    # similarity index alone (the rename lines dropped) still says it is one
    bare = b"".join(x for x in patch.splitlines(True) if not x.startswith(b"rename "))
    code, got = tome_apply(make_repo, tmp_path, before, bare)
    assert (code, got) == (0, expected)


def test_move_to_in_begin_patch_is_a_rename() -> None:
    patch = ("*** Begin Patch\n*** Update File: a.py\n*** Move to: b.py\n@@\n-x = 1\n+x = 2\n"
             "*** End Patch\n")  # fmt: skip
    assert apply_edits({"a.py": "x = 1\n"}, patch) == {"a.py": None, "b.py": "x = 2\n"}


@pytest.mark.parametrize(
    "header",
    [
        "--- a.c\t2024-01-01 10:00:00.000000000 +0100\n+++ a.c\t2024-01-02 11:00:00.000000000 +0100",
        "--- a.c 2024-01-01 10:00:00.000000000 +0100\n+++ a.c 2024-01-02 11:00:00.000000000 +0100",
        "--- a.c\t(original)\n+++ a.c\t(modified)",
        "--- a.c (revision 1234)\n+++ a.c (working copy)",
        "--- a.c   Mon Jan  1 10:00:00 2024\n+++ a.c   Tue Jan  2 11:00:00 2024",
    ],
)
def test_timestamps_are_cut_off_the_path(header: str) -> None:
    patch = header + "\n@@ -1 +1 @@\n-x = 1;\n+x = 2;\n"
    (edit,) = parse_edits(patch)
    assert (edit.path, edit.move_to, edit.other_path) == ("a.c", None, None)
    assert apply_edits({"a.c": "x = 1;\n"}, patch) == {"a.c": "x = 2;\n"}


def test_a_diff_with_no_hunks_is_refused_by_tome_apply(make_repo, tmp_path, capsys) -> None:
    files = {"ext.c": C_SOURCE}
    patch = b"--- a/ext.c\n+++ b/ext.c\n\nI changed the overflow check.\n"
    code, got = tome_apply(make_repo, tmp_path, files, patch)
    err = capsys.readouterr().err
    assert code == 1 and got == files
    assert "the edit of ext.c has no hunks (no @@ lines)" in err


def test_hunks_that_change_nothing_are_refused(make_repo, tmp_path, capsys) -> None:
    """Every line given as context (the model lost the +/-): not a success, exit 1."""
    files = {"ext.c": C_SOURCE}
    patch = real_diff(make_repo, files, {"ext.c": C_CHANGED})
    flat = b"\n".join(b" " + x[1:] if x[:1] in b"+-" and not x.startswith((b"---", b"+++"))
                      else x for x in patch.split(b"\n"))  # fmt: skip
    code, got = tome_apply(make_repo, tmp_path, files, flat)
    err = capsys.readouterr().err
    assert code == 1 and got == files
    assert "changes nothing" in err
    root = make_repo(files)
    (tmp_path / "flat.patch").write_bytes(flat)
    assert main(["apply", str(tmp_path / "flat.patch"), "--json", "-C", str(root)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["files"][0]["hunks"][0]["failure"]["kind"] == "no-change"


def test_review_state_reads_the_other_header_name(make_repo, tmp_path) -> None:
    root = make_repo({"ext.c": C_SOURCE})
    state = ReviewState.from_patch(root, _diff_u(tmp_path, "ext.c.orig", "ext.c").decode())
    (plan,) = state.changeset
    assert plan.path == "ext.c" and not plan.failures and not plan.move_to


def test_store_round_trips_the_new_fields_and_reads_old_rows() -> None:
    hunk = Hunk(((" ", "a"), ("-", "b")), 3, (), True, True, False, "why")
    edit = FileEdit("a.c", "update", "udiff", (hunk,), None, None, 4, "b.c")
    assert edits_from_json(edits_to_json([edit])) == [edit]
    old_row = json.loads(edits_to_json([edit]))
    del old_row[0]["other_path"]
    for key in ("old_no_newline", "new_no_newline", "problem"):
        del old_row[0]["hunks"][0][key]
    (back,) = edits_from_json(json.dumps(old_row))
    assert back.other_path is None and back.hunks[0].problem == ""
    assert not back.hunks[0].old_no_newline


def test_plan_edits_picks_the_existing_side_and_names_both_when_it_cannot() -> None:
    (edit,) = parse_edits("--- a/x.py\n+++ b/x_new.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n")
    (plan,) = plan_edits({"x_new.py": "x = 1\n"}, [edit])
    assert plan.path == "x_new.py" and not plan.failures and plan.move_to is None
    (plan,) = plan_edits({"x.py": "x = 1\n", "x_new.py": "x = 1\n"}, [edit])
    assert plan.path == "x.py" and not plan.failures  # the same text: the --- side
    (plan,) = plan_edits({"x.py": "x = 1\n", "x_new.py": "y = 1\n"}, [edit])
    assert plan.failure is not None and plan.failure.kind == "two-files"


def test_a_copy_is_refused_not_read_as_a_rename(make_repo, tmp_path, capsys) -> None:
    """``copy from``/``copy to`` (git diff -C): before, the source file was deleted."""
    files = {"a.c": C_SOURCE}
    after = {"a.c": C_SOURCE, "b.c": C_CHANGED}
    patch = real_diff(make_repo, files, after, "-C", "--find-copies-harder")
    assert b"copy from a.c" in patch
    code, got = tome_apply(make_repo, tmp_path, files, patch)
    err = capsys.readouterr().err
    assert code == 1 and got == files
    assert "a copy of a.c" in err


def test_a_hunk_that_adds_back_what_it_removes_changes_nothing() -> None:
    patch = "--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,2 @@\n x = 1;\n-y = 2;\n+y = 2;\n"
    with pytest.raises(HunkMatchError, match="removes and adds the same lines"):
        apply_edits({"a.c": "x = 1;\ny = 2;\n"}, patch)


def test_a_path_with_dollar_signs_names_a_whole_file() -> None:
    """Java nested-class files (``$Gson$Types.java``): before, the block was not read and
    the answer's other files were applied without it."""
    path = "gson/src/main/java/com/google/gson/internal/$Gson$Types.java"
    answer = f"`{path}`\n```java\nfinal class $Gson$Types {{}}\n```\n"
    assert apply_edits({path: "class $Gson$Types {}\n"}, answer) == {
        path: "final class $Gson$Types {}\n"
    }
