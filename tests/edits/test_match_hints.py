"""Line numbers and order break ties between equal places, on a real file with a real
repeated block (json/encoder.py: the same five lines end _iterencode_list and
_iterencode_dict), diffed by real git. A wrong number never picks silently."""

from __future__ import annotations

import json.encoder
import subprocess
from pathlib import Path

import pytest

from assistant.edits import HunkMatchError, apply_edits, parse_edits, plan_edits

TEXT = Path(json.encoder.__file__).read_text(encoding="utf-8")
LINES = TEXT.split("\n")
BLOCK = "                    chunks = _iterencode(value, _current_indent_level)"
FIRST, SECOND = [i for i, x in enumerate(LINES) if x == BLOCK][:2]  # 0-based
UNIQUE = next(i for i, x in enumerate(LINES) if x.startswith("def py_encode_basestring("))
DICT_DEF = next(i for i, x in enumerate(LINES) if x.startswith("    def _iterencode_dict("))


def edited(*changes: int) -> str:
    out = list(LINES)
    for i in changes:
        out[i] += "  # edited"
    return "\n".join(out)


def git_diff(tmp_path: Path, new: str, context: int = 2) -> str:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text(TEXT, encoding="utf-8")
    b.write_text(new, encoding="utf-8")
    run = subprocess.run(["git", "diff", "--no-index", f"-U{context}", "a.py", "b.py"],
                         cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 1, run.stderr
    return run.stdout.replace("a/a.py", "a/json/encoder.py").replace("b/b.py", "b/json/encoder.py")


def test_a_single_git_hunk_on_the_repeated_block_is_placed_by_its_header(tmp_path: Path) -> None:
    # one hunk: no other hunk bears its number out, but git's header does: its counts are
    # its lines and +N is -N (no hunk before it), as a miscounted -N rarely keeps
    assert SECOND - FIRST > 10
    new = edited(SECOND)
    diff = git_diff(tmp_path, new)
    assert apply_edits({"json/encoder.py": TEXT}, diff) == {"json/encoder.py": new}


def test_a_single_hunk_whose_minus_number_alone_is_off_is_refused(tmp_path: Path) -> None:
    # the model edits the first copy but its -N lands exactly on the second; its +N, right,
    # no longer follows -N: nothing bears the number out
    diff = git_diff(tmp_path, edited(FIRST))
    lines = []
    for x in diff.splitlines():
        if x.startswith("@@ -"):
            n = int(x[4:].split(",")[0])
            x = x.replace(f"-{n},", f"-{n + SECOND - FIRST},", 1)
        lines.append(x)
    with pytest.raises(HunkMatchError) as info:
        apply_edits({"json/encoder.py": TEXT}, "\n".join(lines) + "\n")
    assert "no other hunk of the file" in str(info.value)


def test_a_right_line_number_borne_out_by_another_hunk_places_it(tmp_path: Path) -> None:
    new = edited(UNIQUE, SECOND)
    diff = git_diff(tmp_path, new)
    assert apply_edits({"json/encoder.py": TEXT}, diff) == {"json/encoder.py": new}
    plan = plan_edits({"json/encoder.py": TEXT}, parse_edits(diff))[0]
    # git's own diff of this very text: placed as stated, as git apply places it, no note
    assert [h.located.tolerances for h in plan.hunks] == [(), ()]  # type: ignore[union-attr]
    # one line more at the top: the numbers are off by one, and the pick is named
    moved = plan_edits({"json/encoder.py": "# moved\n" + TEXT}, parse_edits(diff))[0]
    notes = moved.hunks[1].located.tolerances  # type: ignore[union-attr]
    assert notes == (f"placed by its line number {SECOND - 1} ({SECOND} with the previous "
                     f"hunk's shift) (the same lines are also at {FIRST})",)  # fmt: skip


def test_numbers_all_off_by_the_repeat_distance_are_caught_by_the_other_hunk(
    tmp_path: Path,
) -> None:
    # the model edits the first copy, and every number it wrote is off by the distance
    # between the copies: its first hunk's number lands exactly on the second copy
    diff = git_diff(tmp_path, edited(FIRST, DICT_DEF))
    wrong = SECOND - FIRST
    lines = []
    for x in diff.splitlines():
        if x.startswith("@@ -"):
            n = int(x[4:].split(",")[0])
            x = x.replace(f"-{n},", f"-{n + wrong},", 1)
        lines.append(x)
    with pytest.raises(HunkMatchError) as info:
        apply_edits({"json/encoder.py": TEXT}, "\n".join(lines) + "\n")
    failure = info.value.failures[0]
    assert (failure.hunk, failure.kind) == (1, "ambiguous")
    assert f"points at line {SECOND - 1}, but hunk 2 was found {-wrong:+d} lines" in failure.detail


def test_search_blocks_are_searched_after_the_previous_block_first() -> None:
    def block(search: list[str], replace: list[str]) -> str:
        body = "\n".join(["<<<<<<< SEARCH", *search, "=======", *replace, ">>>>>>> REPLACE"])
        return f"json/encoder.py\n```python\n{body}\n```\n"

    head = LINES[DICT_DEF]
    rep = LINES[SECOND - 2 : SECOND + 2]
    answer = block([head], [head + "  # edited"]) + block(rep, [*rep[:2], BLOCK + "  # x", rep[3]])
    out = apply_edits({"json/encoder.py": TEXT}, answer)["json/encoder.py"]
    assert out == edited(DICT_DEF).replace(BLOCK, BLOCK + "  # x").replace(
        BLOCK + "  # x", BLOCK, 1
    )
    plan = plan_edits({"json/encoder.py": TEXT}, parse_edits(answer))[0]
    assert plan.hunks[1].located.tolerances == (  # type: ignore[union-attr]
        f"placed after the previous hunk (the same lines are also at {FIRST - 1})",
    )


def test_a_number_pointing_before_the_previous_hunk_contradicts_the_order(
    tmp_path: Path,
) -> None:
    diff = git_diff(tmp_path, edited(DICT_DEF, SECOND))
    head = next(x for x in diff.splitlines() if x.startswith("@@") and f"-{SECOND - 1}," in x)
    bad = head.replace(f"-{SECOND - 1},", f"-{FIRST - 1},")
    with pytest.raises(HunkMatchError) as info:
        apply_edits({"json/encoder.py": TEXT}, diff.replace(head, bad))
    assert "before the previous hunk, but the hunks' order points at line" in str(info.value)
