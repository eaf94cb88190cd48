"""Fit the ranking's linear combination on the fit half of the real commits.

    python3 bench/fit_ranking.py [--rounds 3]

Every signal of :data:`assistant.packing.rank.SIGNALS` is computed once per commit of the
``fit`` split (``bench/ranking.py``'s cases); then coordinate ascent over a grid of weights,
one signal at a time, keeps the weight that most raises recall@5 (recall@10 breaks ties),
starting from the shipped weights. It prints the weights to put in ``Weights``: numbers in
the code, no model file. The held-out split is never read here; ``bench/ranking.py`` reports
it.
"""

from __future__ import annotations

import argparse
import heapq
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ranking import Case, collect

from assistant.packing.rank import SIGNALS, Weights, combine

GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--without", nargs="*", default=[], choices=SIGNALS, help="held at 0")
    args = parser.parse_args()
    cases = collect("fit")
    weights = replace(Weights(), **dict.fromkeys(args.without, 0.0))
    best = objective(cases, weights)
    print(f"start: recall@5 {best[1]:.3f} @10 {best[2]:.3f}  {weights}")
    for round_ in range(args.rounds):
        changed = False
        for name in (s for s in SIGNALS if s not in args.without):
            for value in GRID:
                trial = replace(weights, **{name: value})
                got = objective(cases, trial)
                if got > best:
                    best, weights, changed = got, trial, True
            print(f"round {round_ + 1} {name:10} = {getattr(weights, name):<5} "
                  f"recall@5 {best[1]:.3f} @10 {best[2]:.3f} objective {best[0]:.3f}")  # fmt: skip
        if not changed:
            break
    print("fitted weights:", ", ".join(f"{n}={getattr(weights, n)}" for n in SIGNALS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
