"""Choose what goes into a pack under a token budget: each file full, as a skeleton, or omitted.

Pure functions over values. Files are considered in a given priority order (stable path
order when there is no task); each is placed in the best tier that still fits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .render import Tier


@dataclass(frozen=True, slots=True)
class Candidate:
    path: str
    tokens: int  # tokens of the whole file
    overhead: int  # estimated tokens of its tag or heading when shown
    skeleton_tokens: int | None = None  # tokens of its skeleton, when it has one


def fill(
    candidates: Sequence[Candidate],
    budget: int | None,
    *,
    skeleton_from: int | None = None,
) -> dict[str, Tier]:
    """Assign a tier to every candidate, in the order given, within ``budget`` tokens.

    ``budget`` is what the files may use (the caller has taken out the header). Without a
    budget every file is full. Candidates at positions ``>= skeleton_from`` are never shown
    whole, only as skeletons (``None``: any file may be full). A file that fits in no tier is
    omitted and the fill goes on with the next one, so small files later in the order can
    still use what is left.
    """
    if budget is None:
        return {c.path: "full" for c in candidates}
    left = budget
    tiers: dict[str, Tier] = {}
    for position, cand in enumerate(candidates):
        full_cost = cand.tokens + cand.overhead
        may_be_full = skeleton_from is None or position < skeleton_from
        if may_be_full and full_cost <= left:
            tiers[cand.path] = "full"
            left -= full_cost
        elif (
            cand.skeleton_tokens is not None
            and cand.skeleton_tokens + cand.overhead <= left
            and cand.skeleton_tokens < cand.tokens
        ):
            tiers[cand.path] = "skeleton"
            left -= cand.skeleton_tokens + cand.overhead
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
