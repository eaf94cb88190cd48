"""The ranking fitter's cross-validation (bench/fit_cv.py) splits by repository: a
repository's cases are never on both sides, and every repository is held out once."""

from __future__ import annotations

from bench.fit_ranking import folds


def test_no_repository_on_both_sides_and_each_held_out_once() -> None:
    repos = ["b/x"] * 5 + ["a/y"] * 3 + ["c/z"] * 4 + ["d/w"] + ["e/v"] * 2
    groups = folds(repos, 3)
    assert len(groups) == 3
    seen: list[str] = [r for g in groups for r in g]
    assert sorted(seen) == sorted(set(repos))  # each repository in exactly one group
    for group in groups:
        train = {r for r in repos if r not in group}
        assert not train & group


def test_leave_one_repository_out_when_folds_exceed_repositories() -> None:
    repos = ["a/1", "b/2", "b/2", "c/3"]
    assert folds(repos, 18) == [{"a/1"}, {"b/2"}, {"c/3"}]
