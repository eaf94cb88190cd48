"""Choose what goes into a pack under a token budget: each file full, as a skeleton, or omitted.

Pure functions over values. Files are considered in a given priority order (stable path
order when there is no task); each is placed in the best tier that still fits.
:func:`fit_budget` runs the whole fitting: tiers, then render and shrink until the exact
total fits; rendering and skeletons come in as a callable and a :class:`SkeletonSizes`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..errors import PackError
from .render import Part, Tier

FULL_SHARE = 0.8  # of a budget that cannot hold every file, what whole files may use
_SKELETON_BATCH = 256

Build = Callable[[Mapping[str, Tier]], tuple[list[Part], int]]


@dataclass(frozen=True, slots=True)
class Candidate:
    path: str
    tokens: int  # tokens of the whole file
    overhead: int  # estimated tokens of its tag or heading when shown


class SkeletonSizes(Protocol):
    """Skeletons made on demand: what :func:`fit_budget` needs of them."""

    @property
    def tokens(self) -> Mapping[str, int]:
        """The skeletons counted so far, by path."""
        ...

    def load(self, paths: Sequence[str]) -> dict[str, int]:
        """Token counts of the skeletons of ``paths`` (made and counted if need be)."""
        ...


def fill(candidates: Sequence[Candidate], budget: int | None) -> dict[str, Tier]:
    """Assign a tier to every candidate, in the order given, within ``budget`` tokens.

    ``budget`` is what the files may use (the caller has taken out the header). Without a
    budget every file is full. A file that does not fit whole is omitted and the fill goes
    on with the next one, so small files later in the order can still use what is left.
    """
    if budget is None:
        return {c.path: "full" for c in candidates}
    left = budget
    tiers: dict[str, Tier] = {}
    for cand in candidates:
        full_cost = cand.tokens + cand.overhead
        if full_cost <= left:
            tiers[cand.path] = "full"
            left -= full_cost
        else:
            tiers[cand.path] = "omitted"
    return tiers


def shrink(
    tiers: Mapping[str, Tier], order: Sequence[str], excess: int, cost: Mapping[str, int]
) -> dict[str, Tier]:
    """Omit shown files from the end of ``order`` until at least ``excess`` tokens are freed."""
    out = dict(tiers)
    freed = 0
    for path in reversed(order):
        if freed >= excess:
            break
        if out[path] != "omitted":
            out[path] = "omitted"
            freed += cost[path]
    return out


def fit_budget(
    candidates: Sequence[Candidate],
    budget: int,
    build: Build,
    skeletons: SkeletonSizes,
    prefer: Sequence[str] = (),
) -> tuple[list[Part], int, dict[str, Tier]]:
    """Fill the budget in tiers, render, and shrink until the exact total fits.

    Whole files first, in the given order, up to :data:`FULL_SHARE` of the budget; then
    skeletons of the files that follow, those of ``prefer`` first (a task's top files'
    neighbours in the reference graph), then in order, while they fit; then whole files
    again for whatever budget is left. If everything fits whole, everything is whole.
    """
    order = [c.path for c in candidates]
    # The header (tree, intro) is paid whatever is shown: measure it with nothing shown.
    empty: dict[str, Tier] = {p: "omitted" for p in order}
    _, fixed = build(empty)
    if fixed > budget:
        raise PackError(
            f"the budget of {budget:,} tokens does not even hold the pack's header and tree "
            f"({fixed:,} tokens for {len(order):,} files); give it a larger budget or pack "
            "fewer files",
            budget=budget,
            needed=fixed,
        )
    tiers = _tiers_within(candidates, budget - fixed, skeletons, prefer)
    for _ in range(8):
        parts, total = build(tiers)
        if total <= budget:
            return parts, total, tiers
        cost = {
            c.path: c.overhead
            + (c.tokens if tiers[c.path] == "full" else skeletons.tokens.get(c.path, 0))
            for c in candidates
        }
        tiers = shrink(tiers, order, total - budget, cost)
    raise PackError(f"could not fit the pack into {budget:,} tokens")  # pragma: no cover


def _tiers_within(
    candidates: Sequence[Candidate],
    avail: int,
    skeletons: SkeletonSizes,
    prefer: Sequence[str] = (),
) -> dict[str, Tier]:
    """The tiers by estimate: whole files, then skeletons (``prefer`` first), then whole
    files in what is left."""
    if sum(c.tokens + c.overhead for c in candidates) <= avail:
        return fill(candidates, avail)
    tiers = fill(candidates, int(avail * FULL_SHARE))
    left = avail - sum(c.tokens + c.overhead for c in candidates if tiers[c.path] == "full")
    rank = {path: i for i, path in enumerate(prefer)}
    rest = [c for c in candidates if tiers[c.path] == "omitted"]
    rest.sort(key=lambda c: rank.get(c.path, len(rank)))  # stable: the others keep their order
    left = _place_skeletons(rest, tiers, left, avail, skeletons)
    for c in candidates:
        if tiers[c.path] == "omitted" and c.tokens + c.overhead <= left:
            tiers[c.path] = "full"
            left -= c.tokens + c.overhead
    return tiers


def _place_skeletons(
    rest: Sequence[Candidate],
    tiers: dict[str, Tier],
    left: int,
    avail: int,
    skeletons: SkeletonSizes,
) -> int:
    """Show ``rest`` as skeletons, in order, while they fit (made a batch at a time, so a
    large tree makes only the skeletons that can be placed). Returns the budget left."""
    enough = max(256, avail // 200)  # left over when the skeleton pass may stop
    for start in range(0, len(rest), _SKELETON_BATCH):
        if left <= enough:
            break
        batch = rest[start : start + _SKELETON_BATCH]
        sizes = skeletons.load([c.path for c in batch])
        placed = 0
        for c in batch:
            skeleton_cost = sizes[c.path] + c.overhead
            if sizes[c.path] < c.tokens and skeleton_cost <= left:
                tiers[c.path] = "skeleton"
                left -= skeleton_cost
                placed += 1
        if not placed:
            break  # the budget left holds no skeleton of this many candidates
    return left


def reasons(
    order: Sequence[str], tiers: Mapping[str, Tier], near: Mapping[str, str], *, ranked: bool
) -> dict[str, str]:
    """Why each file of a budgeted pack got its tier, in words for the summary.

    ``order`` is the order the budget was given in (by relevance when ``ranked``, for a
    task); ``near`` maps a neighbour of a top file in the reference graph to that file."""
    out: dict[str, str] = {}
    total = len(order)
    for i, path in enumerate(order, 1):
        where = f"rank {i:,} of {total:,}" if ranked else f"priority {i:,} of {total:,}"
        tier = tiers.get(path, "omitted")
        if tier == "full":
            out[path] = where
        elif tier == "skeleton":
            out[path] = (
                f"{where}; a neighbour of {near[path]} in the reference graph, as a skeleton"
                if path in near
                else f"{where}; as a skeleton, its whole text did not fit"
            )
        else:
            out[path] = f"{where}; left out, over the budget"
    return out
