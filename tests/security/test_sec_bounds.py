"""Time is bounded on hostile answers and ignore files; a patch is text; refusals say why.

Each input here is sized so that a quadratic (or exponential) path takes minutes while a
linear one takes well under a second; the timeout is only a guard, every test also checks
the answer. Timings themselves are measured by ``bench/edits.py --adversarial``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant.cli import main
from assistant.edits import (
    Changeset,
    EditParseError,
    EditParser,
    HunkMatchError,
    apply_edits,
    parse_edits,
)
from assistant.pathrules import Rules

pytestmark = [
    pytest.mark.timeout(20),
    pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning"),
]

SPACES = " " * 200_000


def _sr(path: str, search: str, replace: str) -> str:
    return f"{path}\n```\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


def _stream(text: str, chunk: int) -> EditParser:
    parser = EditParser()
    parser.edits = [  # type: ignore[attr-defined]
        e for i in range(0, len(text), chunk) for e in parser.feed(text[i : i + chunk])
    ]
    parser.edits += parser.close()  # type: ignore[attr-defined]
    return parser


# -- parsing --------------------------------------------------------------------------------


def test_a_marker_followed_by_spaces_is_read_in_linear_time() -> None:
    block = "a.py\n<<<<<<< SEARCH\nx\n=======\n>>>>>>>" + SPACES + "x\n>>>>>>> REPLACE\n"
    (edit,) = parse_edits(block)
    assert edit.hunks[0].after == (">>>>>>>" + SPACES + "x",)
    assert parse_edits("a.py\n```" + SPACES + "`\n", strict=False) == []
    patch = "*** Begin Patch\n*** Update File: a" + SPACES + "b\n@@\n-x\n+y\n*** End Patch\n"
    (edit,) = parse_edits(patch)
    assert edit.path == "a" + SPACES + "b"
    hunk = "--- a/a.py\n+++ b/a.py\n@@ -1" + SPACES + "x\n-x\n+y\n"
    assert apply_edits({"a.py": "x\n"}, hunk) == {"a.py": "y\n"}


def test_streaming_a_long_line_in_small_chunks_is_linear() -> None:
    line = "z" * 2_000_000
    parser = _stream("a.py\n```\n" + line + "\n```\n", 16)
    (edit,) = parser.edits  # type: ignore[attr-defined]
    assert edit.action == "replace" and edit.content == line + "\n"


def test_streaming_a_run_of_blank_lines_after_a_fence_is_linear() -> None:
    parser = _stream("a.py\n```\n" + "\n" * 400_000 + "x = 1\n```\n", 16)
    (edit,) = parser.edits  # type: ignore[attr-defined]
    assert edit.content == "\n" * 400_000 + "x = 1\n" and not parser.problems


# -- matching and refusing ------------------------------------------------------------------


def test_a_search_block_that_matches_nothing_is_refused_with_its_closest_region() -> None:
    lines = [f"    result_{i} = compute(value_{i}, scale={i % 7})  # step {i}" for i in range(3000)]
    text = "\n".join(lines) + "\n"
    wrong = "".join(  # every fifth line differs, as when a model misremembers
        (x.replace("compute", "calc") if i % 5 == 0 else x) + "\n"
        for i, x in enumerate(lines[1000:2500])
    )
    with pytest.raises(HunkMatchError) as info:
        apply_edits({"a.py": text}, _sr("a.py", wrong, "pass\n"))
    failure = info.value.failures[0]
    assert failure.kind == "no-match"
    assert failure.closest is not None
    assert (failure.closest.start, failure.closest.end) == (1001, 2500)
    assert failure.closest.similarity >= 0.75
    assert "closest region: lines 1001-2500" in str(info.value)


def test_a_hunk_over_a_file_of_equal_lines_is_refused_as_ambiguous() -> None:
    hunk = "--- a/a.py\n+++ b/a.py\n@@\n" + " x = 1\n" * 3000 + "-x = 1\n+y = 2\n"
    with pytest.raises(HunkMatchError) as info:
        apply_edits({"a.py": "x = 1\n" * 30_000}, hunk)
    failure = info.value.failures[0]
    assert failure.kind == "ambiguous"
    assert "refusing to guess" in failure.detail and failure.candidates[:2] == (1, 2)


def test_a_whole_file_of_repeated_lines_applies_and_reviews_in_linear_time() -> None:
    old = "".join(f"def f{i}():\n    pass\n\n" for i in range(8000))
    new = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(8000))
    answer = "a.py\n```\n" + new + "```\n"
    assert apply_edits({"a.py": old}, answer) == {"a.py": new}
    cs = Changeset.from_text({"a.py": old}, answer)
    cs.accept_all()
    assert cs.result() == {"a.py": new}
    assert cs.added == 8000 and cs.removed == 8000


def test_many_search_blocks_on_one_file_are_checked_for_overlap_quickly() -> None:
    text = "".join(f"line {i}\n" for i in range(40_000))
    answer = "".join(_sr("a.py", f"line {i}\n", f"row {i}\n") for i in range(0, 40_000, 2))
    got = apply_edits({"a.py": text}, answer)["a.py"]
    assert got is not None and got.count("row ") == 20_000 and got.startswith("row 0\nline 1\n")
    overlap = answer + _sr("a.py", "line 5\nrow 6\n", "x\n")
    with pytest.raises(HunkMatchError):
        apply_edits({"a.py": text}, overlap)


# -- ignore patterns ------------------------------------------------------------------------


@pytest.mark.parametrize("negated", [False, True])
def test_an_ignore_pattern_with_many_wildcards_is_not_exponential(negated: bool) -> None:
    rules = Rules(["*a*a*a*a*a*a*a*a*a*a*b", *(["!keep.py"] if negated else [])])
    assert rules.verdict("src/" + "a" * 200) is None
    assert rules.verdict("src/" + "a" * 200 + "b") is True
    assert rules.verdict("src/" + "ab" * 10 + "b/inner.py") is True
    deep = Rules(["a/**/x/**/x/**/x/**/x/**/x/**/b"])
    assert deep.verdict("a/" + "x/" * 200 + "c") is None
    assert deep.verdict("a/" + "x/" * 200 + "b") is True


# -- a patch is text ------------------------------------------------------------------------


def test_a_nul_byte_in_an_answer_is_a_parse_error_naming_the_line() -> None:
    answer = _sr("a.py", "x = 1\n", "x = '\x00'\n")
    with pytest.raises(EditParseError) as info:
        apply_edits({"a.py": "x = 1\n"}, answer)
    assert "line 6: a NUL byte (column 6)" in str(info.value)
    parser = _stream(answer, 5)
    assert parser.edits == [] and "NUL" in parser.problems[0].message  # type: ignore[attr-defined]


def test_tome_apply_refuses_a_patch_that_is_not_utf8_or_holds_nul(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    patch = tmp_path / "p.diff"
    patch.write_bytes(b"a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = '\xff'\n>>>>>>> REPLACE\n")
    assert main(["apply", str(patch), "-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert "is not UTF-8 text: byte 39 (0xff)" in err and "line 5" in err
    patch.write_bytes(b"a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = '\x00'\n>>>>>>> REPLACE\n")
    assert main(["apply", str(patch), "-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert "line 5: a NUL byte" in err and "no edit found" not in err
    assert (root / "a.py").read_bytes() == b"x = 1\n"


# -- a refusal says why ---------------------------------------------------------------------


def test_tome_ask_apply_says_why_the_only_edit_was_refused(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"app.py": "x = 1\n"})
    fake_openai.push(Reply(text=_sr(".git/hooks/pre-commit", "", "#!/bin/sh\necho owned\n")))
    code = main(["ask", "edit", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--apply", "--yes"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "refused path '.git/hooks/pre-commit'" in err and "no edits" not in err
    assert not (root / ".git" / "hooks" / "pre-commit").exists()
