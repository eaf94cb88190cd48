"""Fit the ranking's linear combination on the fit half of the real commits.

    python3 bench/fit_ranking.py [--rounds 3] [--selection] [--from-shipped]

Every signal of :data:`assistant.packing.rank.SIGNALS` is computed once per commit of the
``fit`` split (``bench/ranking.py``'s cases); then coordinate ascent over a grid of weights,
one signal at a time, keeps the weight that most raises recall@5 (recall@10 breaks ties),
starting from the shipped weights. It prints the weights to put in ``Weights``: numbers in
the code, no model file. The held-out split is never read here; ``bench/ranking.py`` reports
it. With ``--selection`` a step is taken only if ``bench/selection.py``'s recall@5 (its 300
Django docstring queries, features computed once) stays at least what the weights shipped
before this signal set reached (:data:`SELECTION_FLOOR`): real requests must not be won at
the price of the definition queries. Coordinate ascent depends on where it starts:
``--from-shipped`` starts from the shipped weights (new signals at their shipped 0) rather
than from the weights of before. ``bench/fit_cv.py`` judges this ascent and other fitting
methods by cross-validation over the fit repositories (any set of ``SIGNALS``).
"""

from __future__ import annotations

import argparse
import heapq
import pickle
import sys
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ranking import WORK, Case, collect, features_file

from assistant.packing.rank import SIGNALS, Weights, combine

# bench/selection.py recall@5 of the weights shipped before (defs .5, def_terms .5, graph .3,
# graph_in .3, cochange .3, mention 1, expand .2, recent .75), measured by selection_recall.
SELECTION_FLOOR = 0.930
BEFORE = replace(
    Weights(), defs=0.5, def_terms=0.5, graph=0.3, graph_in=0.3, cochange=0.3, churn=0.0,
    pair=0.0, mention=1.0, expand=0.2, recent=0.75, size=0.0, code=0.0, subjects=0.0,
    wording=0.0, variant=0.0, scope=0.0, near=0.0, notes=0.0, bodies=0.0, similar=0.0,
    feedback=0.0, flat=0.0, headline=0.0, precedent=0.0, kinds=0.0,
)  # fmt: skip

GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)
NEGATIVE = {"notes": (0.0, -0.1, -0.2, -0.3, -0.5, -0.75, -1.0, -2.0)}  # priors against a kind


def objective(cases: list[Case], weights: Weights) -> tuple[float, float, float]:
    """(the score maximised, recall@5, recall@10): recall@5 plus half of recall@10 and of
    recall within 20k tokens, so that a weight is kept only if it helps more than one cut."""
    at5 = at10 = in20k = 0.0
    for case in cases:
        scores = combine(case.found["path"], weights)
        order = heapq.nsmallest(
            60, range(len(case.paths)), key=lambda d: (-scores.get(d, 0.0), case.paths[d])
        )
        wanted = {case.paths.index(t) for t in case.targets}
        at5 += len(wanted & set(order[:5])) / len(wanted)
        at10 += len(wanted & set(order[:10])) / len(wanted)
        used = got = 0
        for d in order:
            used += case.tokens[d]
            if used > 20_000:
                break
            got += d in wanted
        in20k += got / len(wanted)
    n = len(cases)
    return (at5 + 0.5 * at10 + 0.5 * in20k) / n, at5 / n, at10 / n


def folds(repos: list[str], k: int) -> list[set[str]]:
    """Repositories in ``k`` groups for cross-validation (``bench/fit_cv.py``): sorted by
    name, dealt round robin, so a repository's cases are all on one side of a split."""
    names = sorted(set(repos))
    return [set(names[i::k]) for i in range(min(k, len(names)))]


@dataclass
class Selection:
    """bench/selection.py's queries as fit cases: features by document, the target's id."""

    found: list[dict[str, dict[int, float]]]
    targets: list[int]
    paths: list[str]


def selection_cases() -> Selection:
    kept = features_file("selection", None)
    if kept.exists():
        return pickle.loads(kept.read_bytes())  # our own file, written below
    from _django import django_tree
    from selection import docstring_queries

    from assistant.cache import Cache
    from assistant.code import CodeIndex
    from assistant.packing.rank import features, lexical_index
    from assistant.workspace import discover

    tree = django_tree()
    cache = Cache(WORK / "selection-cache.sqlite3")
    files = discover(tree, cache=cache).files
    index = lexical_index(files, cache=cache)
    queries = docstring_queries(tree, {f.path: f.text for f in files}, 300, 7)
    code = CodeIndex(cache)
    found = [features(index, files, q, code=code, every=True) for q, _ in queries]
    at = {p: d for d, p in enumerate(index.paths)}
    out = Selection(found, [at[t] for _, t in queries], index.paths)
    kept.write_bytes(pickle.dumps(out))
    return out


def selection_recall(sel: Selection, weights: Weights) -> float:
    hits = 0
    for found, target in zip(sel.found, sel.targets, strict=True):
        scores = combine(found, weights)
        mine = scores.get(target, 0.0)
        above = sum(
            1
            for d, v in scores.items()
            if v > mine or (v == mine and sel.paths[d] < sel.paths[target])
        )
        hits += mine > 0 and above < 5
    return hits / len(sel.targets)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--without", nargs="*", default=[], choices=SIGNALS, help="held at 0")
    parser.add_argument("--selection", action="store_true", help="keep selection.py's recall@5")
    parser.add_argument("--from-shipped", action="store_true",
                        help="start from the shipped weights (with --selection: if above the floor)")  # fmt: skip
    args = parser.parse_args()
    cases = collect("fit")
    sel = selection_cases() if args.selection else None
    start = BEFORE if sel is not None and not args.from_shipped else Weights()
    if sel is not None and selection_recall(sel, start) < SELECTION_FLOOR:
        start = BEFORE  # a start that keeps the floor
    weights = replace(start, **dict.fromkeys(args.without, 0.0))
    best = objective(cases, weights)
    print(f"start: recall@5 {best[1]:.3f} @10 {best[2]:.3f}  {weights}")
    if sel is not None:
        print(f"selection.py recall@5 {selection_recall(sel, weights):.3f} "
              f"(floor {SELECTION_FLOOR})")  # fmt: skip
    for round_ in range(args.rounds):
        changed = False
        for name in (s for s in SIGNALS if s not in args.without):
            for value in NEGATIVE.get(name, GRID):
                trial = replace(weights, **{name: value})
                got = objective(cases, trial)
                if got > best and (sel is None or selection_recall(sel, trial) >= SELECTION_FLOOR):
                    best, weights, changed = got, trial, True
            print(f"round {round_ + 1} {name:10} = {getattr(weights, name):<5} "
                  f"recall@5 {best[1]:.3f} @10 {best[2]:.3f} objective {best[0]:.3f}")  # fmt: skip
        if not changed:
            break
    print("fitted weights:", ", ".join(f"{n}={getattr(weights, n)}" for n in SIGNALS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
