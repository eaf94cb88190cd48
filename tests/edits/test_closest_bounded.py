"""The closest region of a refused hunk is found by a bounded, line-level search."""

from __future__ import annotations

from assistant.edits.diff import LineMatcher
from assistant.edits.match import closest_region, similarity


def test_lines_that_differ_only_in_indentation_are_not_called_identical() -> None:
    file = ["}", "  }"] * 200
    region = closest_region(file, ["    }"] * 100)
    assert region is not None
    assert 0.3 < region.similarity < 0.9


def test_the_closest_region_is_the_stretch_that_shares_the_most() -> None:
    file = [f"line {i}" for i in range(3000)]
    wanted = [f"line {i}" for i in range(1200, 1431)]
    wanted[100] = "line changed"
    region = closest_region(file, wanted)
    assert region is not None
    assert (region.start, region.end) == (1201, 1431)
    assert 0.99 < region.similarity < 1.0


def test_similarity_gives_partial_credit_to_an_edited_line() -> None:
    assert similarity(["return x + 1"], ["return x + 1"]) == 1.0
    assert 0.8 < similarity(["return x + 1"], ["return x + 2"]) < 1.0
    assert similarity(["abc"], ["xyz"]) == 0.0


def test_repetitive_lines_still_diff_to_the_right_text() -> None:
    a = ["}", "  }"] * 300
    b = ["  }", "}", "x"] * 200
    out: list[str] = []
    for tag, i1, i2, j1, j2 in LineMatcher(a, b).get_opcodes():
        out.extend(a[i1:i2] if tag == "equal" else b[j1:j2])
    assert out == b


def test_an_answer_of_many_refused_hunks_reports_the_closest_region_of_the_first_only() -> None:
    from assistant.edits import plan_edits
    from assistant.edits.apply import Searches
    from assistant.edits.parse import parse_edits

    file = "".join(f"value = compute({i})\n" for i in range(500))
    hunks = "".join(
        f"@@\n value = compute({i})\n-value = gone({i})\n+value = new({i})\n value = compute({i + 1})\n"
        for i in range(0, 400, 10)
    )
    (plan,) = plan_edits({"a.py": file}, parse_edits("--- a/a.py\n+++ b/a.py\n" + hunks))
    failures = plan.failures
    assert len(failures) == 40
    searched = [f for f in failures if f.closest is not None]
    assert len(searched) == Searches.LIMIT
    assert failures[: Searches.LIMIT] == searched
    rest = failures[Searches.LIMIT :]
    assert all("closest region was not searched" in f.detail for f in rest)
    assert searched[0].closest is not None and searched[0].closest.start == 1
