"""Fit the ranking's weights and judge each fitting method by cross-validation over
repositories of the fit split (the held split is never read here).

    python3 bench/fit_cv.py --method pairwise [--folds 18] [--selection] [--lams 0.01 0.1 1]

Every case of ``bench/ranking.py --split fit`` becomes a dense matrix (rows: the documents
with any feature, in path order; columns: ``lex`` then :data:`~assistant.packing.rank.SIGNALS`,
whatever that set is), so a weight vector is scored for all cases at once with numpy (bench
only: tome ships the result as numbers in ``Weights``). Each repository counts equally
(cases weighted by one over their repository's count). The fit repositories are split into
``--folds`` groups (sorted by name, round robin; 18 = leave one repository out): each method
is fitted on the other groups and its recall@5 measured on the group left out; the mean over
held-out repositories is the method's CV recall@5, and that alone decides what is kept.

Methods (``--method``):
  ascent    coordinate ascent over a grid, one signal at a time, on recall@5 + (recall@10 +
            recall within 20k) / 2 -- what ``bench/fit_ranking.py`` does -- from its start.
  vote      the same, but a step is kept only if it raises the objective on more training
            repositories than it lowers (a majority of repositories must agree: the ascent
            stops early instead of fitting one repository's cases).
  pairwise  a RankNet-style linear model: logistic loss on (target, other) pairs from each
            case's top 60 under the shipped weights, L2-regularised (strength from ``--lams``
            chosen by CV), fitted with L-BFGS; weights are the signals' coefficients over
            lex's.
With ``--selection`` every fit (each CV fold and the final one) must keep
``bench/selection.py``'s recall@5 (its definition queries, as ``fit_ranking.selection_recall``)
at ``SELECTION_FLOOR``: ascent and vote refuse steps below it; pairwise adds the selection
queries as one more training group, weighted up until the floor holds. The final weights
(fitted on the whole fit split) are printed as ``Weights`` fields. ``--share`` divides each
signal by its best in the query first (a transform combine would have to make).

CV recall@5 on the 736 fit cases, 6 folds of 3 repositories (session 10, f225d6d signals):
without the floor ascent 0.750, vote 0.752, pairwise 0.755 (lam 1e-4; 1e-3 0.744, 1e-2
0.728, 0.1 0.708), pairwise with --share 0.755; with the floor pairwise 0.734 (its
unconstrained fits reach selection 0.82-0.85). The differences without the floor are
within one case in a hundred: no method generalises clearly better than the ascent that
fitted the shipped weights (fit 0.747, selection 0.943), so those stay.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fit_ranking import BEFORE, GRID, NEGATIVE, SELECTION_FLOOR, folds, selection_cases
from ranking import collect

from assistant.packing.rank import SIGNALS, Weights

COLUMNS = ("lex", *SIGNALS)
TOP = 60
SHARE = False  # --share: each signal's value over its best in the query


@dataclass
class Dense:
    """Cases as one matrix: rows of documents, the targets, pairs (target, row of its case)."""

    x: np.ndarray  # (rows, len(COLUMNS))
    case: np.ndarray  # case of each row
    doc: np.ndarray  # document id of each row (path order within its case)
    tokens: np.ndarray  # tokens of each row
    t_row: np.ndarray  # row of each target
    t_weight: np.ndarray  # weight of each target (a repository sums to 1 / repositories)
    pair_t: np.ndarray  # target of each pair
    pair_r: np.ndarray  # row of each pair
    ncases: int
    repos: list[str]  # repository of each case


def dense(found_list, targets_list, repos, tokens_list=None) -> Dense:
    xs, case, doc, tok, t_row, t_case, pair_t, pair_r = [], [], [], [], [], [], [], []
    per_repo = {r: repos.count(r) for r in set(repos)}
    t_weight: list[float] = []
    start = 0
    for c, (found, targets) in enumerate(zip(found_list, targets_list, strict=True)):
        docs = set(targets)
        if "lex" in found:
            for values in found.values():
                docs.update(values)
        rows = sorted(docs)
        at = {d: i for i, d in enumerate(rows)}
        x = np.zeros((len(rows), len(COLUMNS)))
        if "lex" in found:
            for j, name in enumerate(COLUMNS):
                for d, v in found.get(name, {}).items():
                    x[at[d], j] = v
        if SHARE and len(rows):
            top = x.max(axis=0)
            x[:, 1:] /= np.where(top[1:] > 0, top[1:], 1.0)  # each signal over its best
        xs.append(x)
        case.extend([c] * len(rows))
        doc.extend(rows)
        tok.extend(tokens_list[c][d] for d in rows) if tokens_list else tok.extend([0] * len(rows))
        for t in targets:
            k = len(t_row)
            t_row.append(start + at[t])
            t_case.append(c)
            t_weight.append(1 / len(targets) / per_repo[repos[c]] / len(per_repo))
            pair_t.extend([k] * len(rows))
            pair_r.extend(range(start, start + len(rows)))
        start += len(rows)
    return Dense(
        np.vstack(xs), np.array(case), np.array(doc), np.array(tok, dtype=float),
        np.array(t_row), np.array(t_weight), np.array(pair_t), np.array(pair_r),
        len(found_list), list(repos),
    )  # fmt: skip


def ranks(data: Dense, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each target's rank (0 = first) under weights ``w`` (lex's first, as combine ranks:
    positive scores first, ties by path) and the tokens of the documents ranked above it."""
    s = data.x @ w
    st = s[data.t_row]
    sr, spt = s[data.pair_r], st[data.pair_t]
    dr, dt = data.doc[data.pair_r], data.doc[data.t_row][data.pair_t]
    above = (sr > spt) | ((sr == spt) & (dr < dt))
    n = len(data.t_row)
    rank_pos = np.bincount(data.pair_t, above, minlength=n)
    before = np.bincount(data.pair_t, (sr > 0) & (dr < dt), minlength=n)
    npos = np.bincount(data.case, s > 0, minlength=data.ncases)[data.case[data.t_row]]
    rank = np.where(st > 0, rank_pos, npos + data.doc[data.t_row] - before)
    used = np.bincount(data.pair_t, above * data.tokens[data.pair_r], minlength=n)
    used = np.where(st > 0, used + data.tokens[data.t_row], np.inf)
    return rank, used


def scores_by_repo(data: Dense, w: np.ndarray) -> dict[str, np.ndarray]:
    """Per repository: (recall@1, @5, @10, within 20k) each with repositories equal."""
    rank, used = ranks(data, w)
    rows = np.stack([rank < 1, rank < 5, rank < 10, (used <= 20_000) & (rank < TOP)], axis=1)
    out: dict[str, np.ndarray] = {}
    for k, tr in enumerate(data.t_row):
        repo = data.repos[data.case[tr]]
        out[repo] = out.get(repo, 0.0) + rows[k] * data.t_weight[k]
    return out


def objective(by_repo: dict[str, np.ndarray]) -> float:
    total = sum(by_repo.values())
    return float(total[1] + 0.5 * total[2] + 0.5 * total[3])


def subset(cases, repos: set[str]):
    return [c for c in cases if c.repo in repos]


def as_dense(cases) -> Dense:
    return dense([c.found["path"] for c in cases], [[c.paths.index(t) for t in c.targets]
                 for c in cases], [c.repo for c in cases], [c.tokens for c in cases])  # fmt: skip


def vector(weights: Weights) -> np.ndarray:
    return np.array([1.0, *(getattr(weights, n) for n in SIGNALS)])


def to_weights(w: np.ndarray) -> Weights:
    return replace(
        Weights(), **{n: round(float(v), 3) for n, v in zip(SIGNALS, w[1:], strict=True)}
    )


def selection_dense() -> Dense:
    sel = selection_cases()
    return dense(sel.found, [[t] for t in sel.targets], ["django"] * len(sel.targets))


def selection_of(sel: Dense | None, w: np.ndarray) -> float:
    if sel is None:
        return 1.0
    rank, _ = ranks(sel, w)
    return float(np.mean((rank < 5) & ((sel.x @ w)[sel.t_row] > 0)))


def ascent(data: Dense, sel: Dense | None, *, vote: bool, rounds: int = 3) -> np.ndarray:
    w = vector(BEFORE)
    if sel is not None and selection_of(sel, w) < SELECTION_FLOOR:
        w = vector(BEFORE)
    best = scores_by_repo(data, w)
    for _ in range(rounds):
        changed = False
        for j, name in enumerate(SIGNALS, start=1):
            for value in NEGATIVE.get(name, GRID):
                trial = w.copy()
                trial[j] = value
                got = scores_by_repo(data, trial)
                if objective(got) <= objective(best):
                    continue
                if vote:
                    diff = [objective({r: got[r]}) - objective({r: best[r]}) for r in got]
                    if sum(d > 1e-12 for d in diff) <= sum(d < -1e-12 for d in diff):
                        continue
                if selection_of(sel, trial) >= SELECTION_FLOOR:
                    best, w, changed = got, trial, True
        if not changed:
            break
    return w


def pairs(data: Dense, start: np.ndarray, extra: float = 1.0):
    """(differences target - other, weight of each pair) from each case's top ``TOP``."""
    s = data.x @ start
    diffs, weights = [], []
    targets_of: dict[int, list[int]] = {}
    for k, tr in enumerate(data.t_row):
        targets_of.setdefault(int(data.case[tr]), []).append(k)
    bounds = np.searchsorted(data.case, np.arange(data.ncases + 1))
    for c, ks in targets_of.items():
        lo, hi = bounds[c], bounds[c + 1]
        order = lo + np.argsort(-s[lo:hi], kind="stable")[:TOP]
        trows = {int(data.t_row[k]) for k in ks}
        others = np.array([r for r in order if r not in trows], dtype=int)
        if not len(others):
            continue
        for k in ks:
            d = data.x[data.t_row[k]] - data.x[others]
            diffs.append(d)
            weights.append(np.full(len(others), data.t_weight[k] * extra / len(others)))
    return np.vstack(diffs), np.concatenate(weights)


def logistic(d: np.ndarray, pw: np.ndarray, lam: float) -> np.ndarray:
    """Score ``a * (lex + w . signals)``: lex's weight is 1 by construction, ``a`` (free,
    positive) sets the logistic's sharpness, the L2 penalty is on ``w`` alone."""
    from scipy.optimize import minimize

    def loss(p):
        a, w = np.exp(p[0]), p[1:]
        m = a * (d[:, 0] + d[:, 1:] @ w)
        f = np.sum(pw * np.logaddexp(0.0, -m)) + 0.5 * lam * (w @ w)
        g_m = -pw / (1 + np.exp(np.clip(m, -50, 50)))
        return f, np.concatenate([[g_m @ m], a * (d[:, 1:].T @ g_m) + lam * w])

    p0 = np.concatenate([[0.0], vector(Weights())[1:]])
    got = minimize(loss, p0, jac=True, method="L-BFGS-B")
    return np.concatenate([[1.0], got.x[1:]])


def pairwise(data: Dense, sel: Dense | None, lam: float) -> np.ndarray:
    start = vector(Weights())
    d, pw = pairs(data, start)
    w = logistic(d, pw, lam)
    if sel is None or selection_of(sel, w) >= SELECTION_FLOOR:
        return w
    sd, spw = pairs(sel, start)
    for extra in (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0):
        w = logistic(np.vstack([d, sd]), np.concatenate([pw, spw * extra]), lam)
        if selection_of(sel, w) >= SELECTION_FLOOR:
            return w
    return vector(BEFORE)


def fit(method: str, data: Dense, sel: Dense | None, lam: float) -> np.ndarray:
    if method == "pairwise":
        return pairwise(data, sel, lam)
    return ascent(data, sel, vote=method == "vote")


def cross_validate(
    method: str, cases, k: int, lam: float, sel: Dense | None
) -> tuple[float, dict[str, float]]:
    """Mean recall@5 over the held-out fit repositories (each fitted without its group)."""
    out: dict[str, float] = {}
    for group in folds([c.repo for c in cases], k):
        train = as_dense([c for c in cases if c.repo not in group])
        test = as_dense(subset(cases, group))
        w = fit(method, train, sel, lam)  # with the floor, as the shipped fit
        repos = len(set(test.repos))
        for repo, row in scores_by_repo(test, w).items():
            out[repo] = float(row[1]) * repos  # a repository's own recall@5
    return sum(out.values()) / len(out), out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--method", choices=("ascent", "vote", "pairwise"), default="pairwise")
    parser.add_argument("--folds", type=int, default=18)
    parser.add_argument("--lams", type=float, nargs="*", default=[0.001, 0.01, 0.1, 1.0])
    parser.add_argument("--selection", action="store_true", help="keep selection.py's recall@5")
    parser.add_argument("--no-cv", action="store_true", help="only the final fit")
    parser.add_argument("--share", action="store_true", help="each signal over its best (d)")
    args = parser.parse_args()
    global SHARE
    SHARE = args.share
    cases = collect("fit", quiet=True)
    lams = args.lams if args.method == "pairwise" else [0.0]
    chosen, best = lams[0], -1.0
    sel = selection_dense() if args.selection else None
    for lam in lams if not args.no_cv else []:
        cv, by_repo = cross_validate(args.method, cases, args.folds, lam, sel)
        print(f"{args.method} lam={lam}: CV recall@5 {cv:.3f}  "
              + " ".join(f"{r.split('/')[1]} {v:.2f}" for r, v in sorted(by_repo.items())))  # fmt: skip
        if cv > best:
            chosen, best = lam, cv
    data = as_dense(cases)
    w = fit(args.method, data, sel, chosen)
    got = sum(scores_by_repo(data, w).values())
    print(
        f"final ({args.method}, lam={chosen}, CV {best:.3f}): fit recall@1 {got[0]:.3f} "
        f"@5 {got[1]:.3f} @10 {got[2]:.3f}; selection recall@5 {selection_of(sel, w):.3f}"
    )
    print("fitted weights:", ", ".join(f"{n}={v:.3f}" for n, v in zip(SIGNALS, w[1:], strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
