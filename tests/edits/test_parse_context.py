"""A context line that lost its leading space (a bare line inside a hunk) is context when the
hunk goes on after it; prose after the last hunk still ends the diff; a hunk that cannot be
told apart from the prose fails whole. Never half a hunk."""

from __future__ import annotations

import colorsys
import random
from pathlib import Path

import pytest

from assistant.edits import EditParser, HunkMatchError, apply_edits, parse_edits, plan_edits

from .realdiff import git_apply, real_diff, tome_apply

# CPython's colorsys.py: top-level lines (def, comments) are the ones a lost space leaves bare
SOURCE = Path(colorsys.__file__).read_text()
CHANGED = SOURCE.replace(
    "# YIQ: used by composite video signals (linear combinations of RGB)\n", ""
).replace("    y = 0.30*r + 0.59*g + 0.11*b", "    y = 0.299*r + 0.587*g + 0.114*b")
assert CHANGED != SOURCE


def _bare(patch: str, prefix: str = " def rgb_to_yiq") -> str:
    """The patch with the context line starting with ``prefix`` missing its space."""
    lines = patch.split("\n")
    k = next(i for i, x in enumerate(lines) if x.startswith(prefix))
    lines[k] = lines[k][1:]
    return "\n".join(lines)


@pytest.fixture
def git_patch(make_repo) -> str:
    before, after = {"colorsys.py": SOURCE.encode()}, {"colorsys.py": CHANGED.encode()}
    text = real_diff(make_repo, before, after, "-U5").decode()
    # one hunk; the bare line sits between its removed and added lines
    assert text.count("\n@@ ") == 1
    at = text.index("\n def rgb_to_yiq")
    assert "\n-#" in text[:at] and "\n+" in text[at:]
    return text


def test_bare_context_line_between_removed_and_added_lines(make_repo, tmp_path, git_patch):
    """Before, the hunk ended at the bare line: the comment was removed and the new formula
    dropped (half the hunk, silently)."""
    expected = git_apply(make_repo, {"colorsys.py": SOURCE.encode()}, git_patch.encode())
    assert expected["colorsys.py"] == CHANGED.encode()
    code, got = tome_apply(make_repo, tmp_path, {"colorsys.py": SOURCE.encode()},
                           _bare(git_patch).encode())  # fmt: skip
    assert (code, got) == (0, expected)


def test_bare_context_line_with_a_count_free_header(git_patch: str) -> None:
    """``@@ ... @@`` (no counts): the lines after the bare one say the hunk goes on."""
    lines = _bare(git_patch).split("\n")
    lines = ["@@ ... @@" if x.startswith("@@") else x for x in lines]
    assert apply_edits({"colorsys.py": SOURCE}, "\n".join(lines)) == {"colorsys.py": CHANGED}


def test_several_bare_lines_in_a_row(git_patch: str) -> None:
    patch = _bare(_bare(_bare(git_patch), " # Y: perceived"), " # I, Q")
    assert apply_edits({"colorsys.py": SOURCE}, patch) == {"colorsys.py": CHANGED}


@pytest.mark.parametrize("header", [True, False])
def test_prose_after_the_last_hunk_ends_the_diff(git_patch: str, header: bool) -> None:
    patch = git_patch
    if not header:
        patch = "\n".join("@@ @@" if x.startswith("@@") else x for x in patch.split("\n"))
    answer = patch + "That keeps the YIQ coefficients in line with the NTSC standard.\n"
    assert apply_edits({"colorsys.py": SOURCE}, answer) == {"colorsys.py": CHANGED}
    # prose then a bullet list: the counts say the hunk was complete
    listed = git_patch + "Changes:\n- dropped a comment\n+ more precise weights\n"
    assert apply_edits({"colorsys.py": SOURCE}, listed) == {"colorsys.py": CHANGED}
    # prose then another file's diff
    more = answer + "--- a/other.py\n+++ b/other.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"
    got = apply_edits({"colorsys.py": SOURCE, "other.py": "a = 1\n"}, more)
    assert got == {"colorsys.py": CHANGED, "other.py": "a = 2\n"}


def test_prose_at_the_end_of_a_fenced_diff_does_not_swallow_the_fence() -> None:
    answer = ("```diff\n--- a/a.py\n+++ b/a.py\n@@\n-x = 1\n+x = 2\nend of change\n```\n"
              "- a note after the fence\n")  # fmt: skip
    assert apply_edits({"a.py": "x = 1\n"}, answer) == {"a.py": "x = 2\n"}


def test_a_bare_line_the_counts_rule_out_fails_the_whole_hunk() -> None:
    """The counts say only added lines are left, yet a bare line comes first and hunk lines
    follow it: the hunk fails whole; the removal before it is not applied alone."""
    answer = "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\nz = 3\n+y = 4\n"
    (edit,) = parse_edits(answer)
    assert edit.hunks[0].problem and len(edit.hunks) == 1
    (plan,) = plan_edits({"a.py": "x = 1\ny = 2\nz = 3\n"}, [edit])
    (failure,) = plan.failures
    assert failure.kind == "malformed" and "'z = 3'" in failure.detail
    with pytest.raises(HunkMatchError):
        apply_edits({"a.py": "x = 1\ny = 2\nz = 3\n"}, answer)


def _feed(text: str, cuts: list[int]) -> tuple[list[object], list[object]]:
    parser = EditParser()
    out: list[object] = []
    last = 0
    for cut in [*cuts, len(text)]:
        out += parser.feed(text[last:cut])
        last = cut
    out += parser.close()
    return out, list(parser.problems)


@pytest.mark.parametrize("seed", range(6))
def test_bare_lines_read_the_same_whatever_the_chunks(git_patch: str, seed: int) -> None:
    rng = random.Random(seed)
    answer = (_bare(_bare(git_patch), " # I, Q") + "Some prose.\n- a list item\n"
              "--- a/b.py\n+++ b/b.py\n@@\n x\nbare\n\n+y\nthe end")  # fmt: skip
    whole = _feed(answer, [])
    cuts = sorted(rng.sample(range(1, len(answer)), 40))
    assert _feed(answer, cuts) == whole
    assert _feed(answer, list(range(1, len(answer)))) == whole  # a character at a time


@pytest.mark.timeout(20)
@pytest.mark.parametrize("goes_on", [True, False])
@pytest.mark.parametrize("unit", ["bare line\n", "bare\n\n", "bare\n \n"])
def test_a_long_run_of_bare_lines_is_read_in_linear_time(goes_on: bool, unit: str) -> None:
    run = unit * 100_000
    answer = "--- a/a.py\n+++ b/a.py\n@@\n-x\n" + run + ("+y\n" if goes_on else "")
    parser = EditParser()
    edits = [e for i in range(0, len(answer), 16) for e in parser.feed(answer[i : i + 16])]
    edits += parser.close()
    (edit,) = edits
    per_unit = 1 if unit == "bare line\n" else 2
    assert len(edit.hunks[0].lines) == (per_unit * 100_000 + 2 if goes_on else 1)


def test_a_bare_last_context_line_the_counts_ask_for_is_context() -> None:
    """An insertion whose only context line lost its space, at the end of the answer: the
    counts say that line is due, so the hunk can be placed (before: no context at all)."""
    old = "import os\nimport sys\n\n\ndef main():\n    pass\n"
    answer = "--- a/m.py\n+++ b/m.py\n@@ -2,1 +2,2 @@\n+import re\nimport sys\n"
    new = old.replace("import sys", "import re\nimport sys")
    assert apply_edits({"m.py": old}, answer) == {"m.py": new}
    # the counts do not ask for it: prose, left out of the hunk, which then cannot be placed
    prose = "--- a/m.py\n+++ b/m.py\n@@ -2,0 +2,1 @@\n+import re\nimport sys\n"
    with pytest.raises(HunkMatchError, match="no context"):
        apply_edits({"m.py": old}, prose)


def test_a_bare_line_before_the_next_hunk_keeps_the_file_open(git_patch: str) -> None:
    """The bare line is the last context line of one hunk and the next ``@@`` follows: both
    hunks belong to the file (before: the second hunk had 'no file path before it')."""
    split = real_patch_two_hunks(git_patch)
    assert apply_edits({"colorsys.py": SOURCE}, split) == {"colorsys.py": CHANGED}
    # and with prose between the hunks (the counts say the first hunk is complete)
    lines = split.split("\n")
    second = max(i for i, x in enumerate(lines) if x.startswith("@@"))
    lines.insert(second, "The second change:")
    assert apply_edits({"colorsys.py": SOURCE}, "\n".join(lines)) == {"colorsys.py": CHANGED}


def real_patch_two_hunks(git_patch: str) -> str:
    """The -U5 hunk cut in two at the bare line (each with right counts), the first hunk's
    last context line being the bare ``def rgb_to_yiq`` line."""
    lines = git_patch.split("\n")
    head = next(i for i, x in enumerate(lines) if x.startswith("@@"))
    at = next(i for i, x in enumerate(lines) if x.startswith(" def rgb_to_yiq"))
    first, rest = lines[head + 1 : at + 1], lines[at + 1 :]
    start = int(lines[head].split()[1].split(",")[0][1:])
    old1 = sum(x[:1] in (" ", "-") for x in first)
    new1 = sum(x[:1] in (" ", "+") for x in first)
    body2 = [x for x in rest if x]
    old2 = sum(x[:1] in (" ", "-") for x in body2)
    new2 = sum(x[:1] in (" ", "+") for x in body2)
    first[-1] = first[-1][1:]  # the space lost
    return "\n".join([
        *lines[:head], f"@@ -{start},{old1} +{start},{new1} @@", *first,
        f"@@ -{start + old1},{old2} +{start + new1},{new2} @@", *rest,
    ])  # fmt: skip


def test_a_path_line_before_the_next_hunk_still_names_the_next_file() -> None:
    answer = (
        "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\ny.py\n@@ -1 +1 @@\n-c = 1\n+c = 2\n"
    )
    got = apply_edits({"x.py": "a = 1\n", "y.py": "c = 1\n"}, answer)
    assert got == {"x.py": "a = 2\n", "y.py": "c = 2\n"}


def test_a_bare_line_before_a_fence_line_of_the_file_is_context() -> None:
    """A markdown file's own fence, as a context line (`` ```` ``), is not the answer's."""
    old = "Build it:\n\n```\n$ cargo build --release\n```\n\nDone.\n"
    answer = ("````diff\n--- a/README.md\n+++ b/README.md\n@@ -3,5 +3,5 @@\n ```\n"
              "$ cargo build --release\n ```\n \n-Done.\n+Done!\n````\n")  # fmt: skip
    assert apply_edits({"README.md": old}, answer) == {"README.md": old.replace("Done.", "Done!")}
