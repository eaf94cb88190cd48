"""Why ranking misses: the fit cases where a target file is outside the top 5.

    python3 bench/rank_misses.py [--split fit|held] [--limit N] [--top 5] [--show 8]
                                 [--set SIGNAL=W ...]

Design features on the fit split (the default): the held split is for the final figure.

For each such commit: the repository and sha, the query (its first lines), each missed
target with its rank and its value for every signal, and the files ranked above it with
theirs, so it is plain which signal pushed a wrong file up or failed to lift the right one.
Reads the features ``bench/ranking.py`` computes (kept in ``bench/.work``).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ranking import Case, collect

from assistant.packing.rank import SIGNALS, Weights, combine


def signals(case: Case, doc: int, weights: Weights) -> str:
    found = case.found["path"]
    parts = [f"lex {found.get('lex', {}).get(doc, 0.0):.2f}"]
    for name in SIGNALS:
        v = found.get(name, {}).get(doc, 0.0)
        if v and getattr(weights, name):
            parts.append(f"{name} {v:.2f}")
    return ", ".join(parts)


def show(case: Case, weights: Weights, top: int, above: int) -> bool:
    scores = combine(case.found["path"], weights)
    order = sorted(range(len(case.paths)), key=lambda d: (-scores.get(d, 0.0), case.paths[d]))
    place = {d: i for i, d in enumerate(order)}
    missed = [t for t in case.targets if place[case.paths.index(t)] >= top]
    if not missed:
        return False
    query = " / ".join(line for line in case.query.splitlines()[:3] if line.strip())
    print(f"\n{case.repo} {case.sha[:10]}: {query[:200]}")
    for target in missed:
        doc = case.paths.index(target)
        print(f"  MISSED #{place[doc] + 1} {target}: {signals(case, doc, weights)}")
    for d in order[:above]:
        mark = "*" if case.paths[d] in case.targets else " "
        print(f"   {mark}{place[d] + 1:>3} {case.paths[d]}: {signals(case, d, weights)}")
    return True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="fit", choices=("fit", "held", "all"))
    parser.add_argument("--limit", type=int, default=None, help="cases per repository")
    parser.add_argument("--top", type=int, default=5, help="a target below this is a miss")
    parser.add_argument("--show", type=int, default=8, help="how many files above to print")
    parser.add_argument("--set", nargs="*", default=[], metavar="SIGNAL=W",
                        help="these weights instead of the shipped ones")  # fmt: skip
    args = parser.parse_args()
    cases = collect(args.split, limit=args.limit, quiet=True)
    weights = replace(Weights(), **{k: float(v) for k, v in (s.split("=") for s in args.set)})
    missed = sum(show(c, weights, args.top, args.show) for c in cases)
    print(f"\n{missed} of {len(cases)} commits have a target outside the top {args.top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
