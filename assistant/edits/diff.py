"""Line diffs with a bounded cost: difflib's answers on normal inputs, never its worst case.

``difflib.SequenceMatcher`` is quadratic (or worse) on sequences with many equal lines, and
an answer is untrusted: a whole-file block of 10,000 repeated lines took 14 s. Small inputs
keep difflib's own matching (so reviews read as before); large ones are matched the way
git's patience diff does it: common ends trimmed, then lines unique on both sides as anchors
(longest increasing run, O(n log n)), recursing into the gaps, with difflib only on small
gaps and a total work budget after which a gap is one replaced block (still a correct diff).
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence

SMALL = 250_000
"""Largest ``len(a) * len(b)`` handed to difflib as is."""
PAIRS = 2_000
"""Equal-line pairs difflib may see beyond four per line: its cost grows with the pairs
(231 lines of ``}`` against 231 of ``  }`` and ``}`` took 118 ms; a dozen such calls
refused one hunk in over a second), so repetitive input goes the patience way."""
BUDGET = 4_000_000
"""Total lines examined by the patience pass before the rest is left unmatched."""

Block = tuple[int, int, int]


class LineMatcher(difflib.SequenceMatcher[str]):
    """A ``SequenceMatcher`` over lines whose matching blocks cost near-linear time."""

    def __init__(self, a: Sequence[str], b: Sequence[str]) -> None:
        super().__init__(None, a, b, autojunk=False)
        self._pair = (a, b)
        self._blocks: list[difflib.Match] | None = None

    def get_matching_blocks(self) -> list[difflib.Match]:
        if self._blocks is None:
            a, b = self._pair
            blocks: list[Block]
            if _small(a, b):
                blocks = [(m.a, m.b, m.size) for m in super().get_matching_blocks()][:-1]
            else:
                blocks = _patience(a, b)
            self._blocks = _merge(blocks, len(a), len(b))
        return self._blocks


Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[str], b: Sequence[str]) -> Sequence[Opcode]:
    """``LineMatcher(a, b).get_opcodes()``. Two sides with no line in common are one
    opcode, read off without a matcher (a SEARCH/REPLACE block that rewrites its lines is
    the common case, and twenty thousand of them in one answer spent most of their time in
    building matchers)."""
    if set(a).isdisjoint(b):
        if not a and not b:
            return []
        tag = "replace" if a and b else "delete" if a else "insert"
        return [(tag, 0, len(a), 0, len(b))]
    return LineMatcher(a, b).get_opcodes()


def _small(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether difflib's own matching is cheap on ``a`` and ``b``: few lines, and few pairs
    of equal lines (counted in one pass)."""
    if len(a) * len(b) > SMALL:
        return False
    limit = 4 * (len(a) + len(b)) + PAIRS
    counts: dict[str, int] = {}
    for x in b:
        counts[x] = counts.get(x, 0) + 1
    pairs = 0
    for x in a:
        pairs += counts.get(x, 0)
        if pairs > limit:
            return False
    return True


def _merge(blocks: list[Block], la: int, lb: int) -> list[difflib.Match]:
    out: list[difflib.Match] = []
    for i, j, k in sorted(blocks):
        if not k:
            continue
        if out and out[-1].a + out[-1].size == i and out[-1].b + out[-1].size == j:
            last = out.pop()
            out.append(difflib.Match(last.a, last.b, last.size + k))
        else:
            out.append(difflib.Match(i, j, k))
    out.append(difflib.Match(la, lb, 0))
    return out


def _patience(a: Sequence[str], b: Sequence[str]) -> list[Block]:
    blocks: list[Block] = []
    work = 0
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        # common ends, each one block (a run of 100,000 equal lines is not 100,000 blocks)
        head = 0
        while alo + head < ahi and blo + head < bhi and a[alo + head] == b[blo + head]:
            head += 1
        blocks.append((alo, blo, head))
        alo, blo = alo + head, blo + head
        tail = 0
        while alo < ahi - tail and blo < bhi - tail and a[ahi - 1 - tail] == b[bhi - 1 - tail]:
            tail += 1
        ahi, bhi = ahi - tail, bhi - tail
        blocks.append((ahi, bhi, tail))
        if alo == ahi or blo == bhi:
            continue
        if _small(a[alo:ahi], b[blo:bhi]):
            sm = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            blocks += [(alo + i, blo + j, k) for i, j, k in sm.get_matching_blocks()]
            continue
        work += (ahi - alo) + (bhi - blo)
        if work > BUDGET:
            continue  # out of budget: the gap is one replaced block
        anchors = _unique_anchors(a, b, alo, ahi, blo, bhi)
        if not anchors:
            continue  # nothing unique to align on, and too large for difflib
        prev_a, prev_b = alo, blo
        for i, j in anchors:
            blocks.append((i, j, 1))
            stack.append((prev_a, i, prev_b, j))
            prev_a, prev_b = i + 1, j + 1
        stack.append((prev_a, ahi, prev_b, bhi))
    return blocks


def _unique_anchors(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines that occur once in ``a[alo:ahi]`` and once in ``b[blo:bhi]``, paired, longest
    run increasing on both sides (patience sorting)."""
    count_a: dict[str, int] = {}
    for i in range(alo, ahi):
        x = a[i]
        count_a[x] = -1 if x in count_a else i
    where_b: dict[str, int] = {}
    for j in range(blo, bhi):
        x = b[j]
        if count_a.get(x, -1) >= 0:
            where_b[x] = -1 if x in where_b else j
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if where_b.get(a[i], -1) >= 0]
    if not pairs:
        return []
    tails: list[int] = []  # b index ending the best run of each length
    tail_at: list[int] = []  # the pair index of that end
    back: list[int] = [-1] * len(pairs)
    for n, (_i, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k] = j
            tail_at[k] = n
        back[n] = tail_at[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    n = tail_at[-1]
    while n >= 0:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]
