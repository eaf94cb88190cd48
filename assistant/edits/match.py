"""Locate a hunk in a file by its content: the matching ladder. Pure functions over lines.

The ladder, loosest last; the first rung with any candidate decides:

1. ``exact``: the lines the hunk expects appear verbatim;
2. ``whitespace``: equal once trailing whitespace is ignored;
3. ``indent``: equal once indentation is ignored, and the file is indented by one uniform
   offset from the model's copy (the added lines are re-indented by the same offset);
4. ``context``: as ``indent``, with one context line the model added that the file lacks,
   or one file line the model left out; only between two context lines, so where the file's
   line goes is never in doubt;
5. ``elision``: a context line ``...`` stands for lines left out (see ``model.ELISION``).

A match must be unique. Two equal candidates on a rung fail the hunk, whatever the line
numbers say: line numbers are never used to choose. The hunk's order in a diff restricts the
search to after the previous hunk (the format says hunks come in file order), and ``@@``
anchors narrow a tie to the region after the anchor line; a tie that survives that fails.

Looser rungs only locate the block: the file's own context lines are written back, never the
model's copy of them.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .diff import LineMatcher
from .failures import FailureKind, Region
from .model import ELISION, Hunk, Op

Level = Literal["exact", "whitespace", "indent", "context", "elision"]


@dataclass(frozen=True)
class Located:
    """Where a hunk goes: replace file lines ``[start, end)`` with ``lines``."""

    start: int
    end: int
    lines: tuple[str, ...]
    level: Level
    tolerances: tuple[str, ...] = ()
    """What was tolerated to place the hunk, for a reviewer (empty when it matched exactly):
    short phrases such as ``trailing whitespace ignored``."""


@dataclass(frozen=True)
class Miss:
    """Why a hunk was not located."""

    kind: FailureKind
    detail: str
    closest: Region | None = None
    candidates: tuple[int, ...] = ()


Ops = Sequence[tuple[Op, str]]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _offset(pairs: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """The uniform indentation change from model lines to file lines, as (add, remove)."""
    add: str | None = None
    remove: str | None = None
    for model, file in pairs:
        if not model.strip() or not file.strip():
            continue
        mi, fi = _indent(model), _indent(file)
        if len(fi) >= len(mi):
            if not fi.endswith(mi) or remove:
                return None
            p = fi[: len(fi) - len(mi)]
            if add is None:
                add = p
            elif p != add:
                return None
            if p and remove is None:
                remove = ""
        else:
            if not mi.endswith(fi) or add:
                return None
            p = mi[: len(mi) - len(fi)]
            if remove is None:
                remove = p
            elif p != remove:
                return None
            if add is None:
                add = ""
    return (add or "", remove or "")


def _reindent(text: str, offset: tuple[str, str]) -> str | None:
    add, remove = offset
    if not text.strip():
        return text
    if remove:
        return text[len(remove) :] if text.startswith(remove) else None
    return add + text


def _render(
    file: Sequence[str],
    start: int,
    end: int,
    ops: Ops,
    mapping: Sequence[int | None],
    offset: tuple[str, str],
) -> tuple[str, ...] | None:
    """The replacement for ``file[start:end]``: file context kept, additions re-indented.

    A file line the model left out goes just before the next line it did map.
    """
    out: list[str] = []
    cursor = start
    bi = 0
    for op, text in ops:
        if op == "+":
            line = _reindent(text, offset)
            if line is None:
                return None
            out.append(line)
            continue
        f = mapping[bi]
        bi += 1
        if f is None:
            continue
        out.extend(file[cursor:f])
        if op == " ":
            out.append(file[f])
        cursor = f + 1
    out.extend(file[cursor:end])
    return tuple(out)


class _Candidates:
    """Distinct readings: two that change the file the same way are one candidate.

    A reading is keyed by its effect: the region with the lines it leaves unchanged trimmed
    off both ends, so readings that differ only in how much context they cover are equal.
    """

    def __init__(self, file: Sequence[str]) -> None:
        self.file = file
        self.items: dict[tuple[int, int, tuple[str, ...]], tuple[int, int, tuple[str, ...]]] = {}

    def add(self, start: int, end: int, lines: tuple[str, ...] | None) -> None:
        if lines is None:
            return
        s, e, i, j = start, end, 0, len(lines)
        while s < e and i < j and self.file[s] == lines[i]:
            s, i = s + 1, i + 1
        while s < e and i < j and self.file[e - 1] == lines[j - 1]:
            e, j = e - 1, j - 1
        self.items.setdefault((s, e, lines[i:j]), (start, end, lines))

    def as_located(self, level: Level) -> list[Located]:
        return [Located(s, e, lines, level) for (s, e, lines) in self.items.values()]


_KEYS: dict[str, Callable[[str], str]] = {
    "exact": lambda s: s,
    "whitespace": str.rstrip,
    "indent": str.strip,
}


def _matched_from(pat: Sequence[int], text: Sequence[int]) -> list[int]:
    """``out[p]``: the length of the longest common prefix of ``text[p:]`` and ``pat``."""
    seq = [*pat, -(1 << 62), *text]  # the separator matches nothing
    n = len(seq)
    z = [0] * n
    left = right = 0
    for i in range(1, n):
        k = min(right - i, z[i - left]) if i < right else 0
        while i + k < n and seq[k] == seq[i + k]:
            k += 1
        z[i] = k
        if i + k > right:
            left, right = i, i + k
    return z[len(pat) + 1 :]


class FileLines:
    """A file's lines with per-rung keys and first-line indexes, built once per file."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        self._keys: dict[str, list[str]] = {}
        self._index: dict[str, dict[str, list[int]]] = {}
        self._tables: dict[str, dict[str, int]] = {}
        self._ids: dict[str, list[int]] = {}

    def keys(self, level: str) -> list[str]:
        if level not in self._keys:
            fn = _KEYS[level]
            self._keys[level] = [fn(x) for x in self.lines]
        return self._keys[level]

    def ids(self, level: str) -> list[int]:
        """Each line's key as a small int (equal keys, equal ids), for linear scans."""
        if level not in self._ids:
            table: dict[str, int] = {}
            self._ids[level] = [table.setdefault(k, len(table)) for k in self.keys(level)]
            self._tables[level] = table
        return self._ids[level]

    def runs(self, level: str, block: Sequence[str]) -> tuple[list[int], list[int]]:
        """For every file line ``p``: how many lines of ``block`` match from ``p`` on, and
        how many of its last lines match ending at ``p``. Linear (Z-algorithm on ids), so a
        file of equal lines costs no more than any other."""
        ids = self.ids(level)
        table = self._tables[level]
        pat = [table.get(k, -1 - i) for i, k in enumerate(block)]
        forward = _matched_from(pat, ids)
        backward = _matched_from(pat[::-1], ids[::-1])[::-1]
        return forward, backward

    def positions(self, level: str, key: str) -> list[int]:
        if level not in self._index:
            idx: dict[str, list[int]] = {}
            for i, k in enumerate(self.keys(level)):
                idx.setdefault(k, []).append(i)
            self._index[level] = idx
        return self._index[level].get(key, [])


CAP = 64
"""Most candidate readings rendered for one hunk: more than that many places is ambiguous
whatever the anchors say (an answer is untrusted; each reading costs the hunk's length)."""
_DIRECT = 200_000
"""Above this many line comparisons, candidate positions are checked by one linear pass."""


def _too_many(starts: Sequence[int], detail: str) -> Miss:
    shown = ", ".join(str(s + 1) for s in starts[:8]) + (" ..." if len(starts) > 8 else "")
    return Miss("ambiguous", detail.format(n=len(starts), shown=shown),
                candidates=tuple(s + 1 for s in starts))  # fmt: skip


_MANY = (
    "the lines to replace occur {n} times (at lines {shown}); refusing to guess which one is meant"
)


def _contiguous(
    fl: FileLines, ops: Ops, level: Level, lo: int, eof: bool = False
) -> list[Located] | Miss:
    before = [t for op, t in ops if op != "+"]
    n = len(before)
    fn = _KEYS[level]
    bk = [fn(x) for x in before]
    fk = fl.keys(level)
    starts = [p for p in fl.positions(level, bk[0]) if p >= lo and p + n <= len(fk)]
    if eof:
        starts = [p for p in starts if p + n == len(fk)]
    if len(starts) * n > _DIRECT:
        forward = fl.runs(level, bk)[0]
        starts = [p for p in starts if forward[p] >= n]
    else:
        starts = [p for p in starts if fk[p : p + n] == bk]
    if len(starts) > CAP:
        return _too_many(starts, _MANY)
    cands = _Candidates(fl.lines)
    for p in starts:
        mapping = list(range(p, p + n))
        offset: tuple[str, str] | None = ("", "")
        if level == "indent":
            offset = _offset(list(zip(before, fl.lines[p : p + n], strict=True)))
        if offset is not None:
            cands.add(p, p + n, _render(fl.lines, p, p + n, ops, mapping, offset))
    return cands.as_located(level)


def _settled_gap(
    ops: Ops, at: Sequence[int], roles: Sequence[str], bk: Sequence[str], k: int, left_out: str
) -> bool:  # bk: the file's text of each line the model gave
    """Whether a file line the model left out, between its lines ``k - 1`` and ``k``, has
    exactly one place: both neighbours are context with nothing added between them, and if
    the line repeats a neighbour (a run of blank lines, say), no change touches that run,
    since then any line of the run could be the one left out."""
    lo, hi = k - 1, k
    while lo > 0 and bk[lo] == left_out and bk[lo - 1] == left_out:
        lo -= 1
    while hi < len(bk) - 1 and bk[hi] == left_out and bk[hi + 1] == left_out:
        hi += 1
    if any(roles[i] != " " for i in range(lo, hi + 1)) or at[hi] - at[lo] != hi - lo:
        return False
    if left_out in (bk[k - 1], bk[k]):
        edges = [at[lo] - 1, at[hi] + 1]
        if any(0 <= e < len(ops) and ops[e][0] != " " for e in edges):
            return False
    return True


def _one_line_off(fl: FileLines, ops: Ops, lo: int) -> list[Located] | Miss:
    """Candidates with one extra model context line, or one file line the model left out."""
    before = [t for op, t in ops if op != "+"]
    roles = [op for op, _ in ops if op != "+"]
    # index in ``ops`` of each before line, to see what sits between two of them
    at = [i for i, (op, _) in enumerate(ops) if op != "+"]
    n = len(before)
    if n < 3 or n - 1 > len(fl.lines):  # too short to say where, or longer than the file
        return []
    bk = [x.strip() for x in before]
    fk = fl.keys("indent")
    lines = fl.lines
    total = len(fk)
    cands = _Candidates(fl.lines)
    unsure: list[int] = []

    def settle(p: int, end: int, mapping: list[int | None]) -> None:
        pairs = [(before[i], lines[f]) for i, f in enumerate(mapping) if f is not None]
        offset = _offset(pairs)
        if offset is not None:
            cands.add(p, end, _render(lines, p, end, ops, mapping, offset))

    starts = [p for p in fl.positions("indent", bk[0]) if p >= lo]
    runs = fl.runs("indent", bk) if len(starts) * n > _DIRECT else None

    def ends_with(end: int, most: int) -> int:
        """How many last lines of the hunk match the file lines ending before ``end``."""
        if runs is not None:
            return min(runs[1][end - 1], most) if end > 0 else 0
        b = 0
        while b < most and fk[end - 1 - b] == bk[n - 1 - b]:
            b += 1
        return b

    for p in starts:
        if len(cands.items) + len(unsure) > CAP:
            return _too_many(sorted({p for (p, _e, _l) in cands.items.values()} | set(unsure)),
                             _ONE_OFF)  # fmt: skip
        if runs is not None:
            a = min(runs[0][p], n)
        else:
            a = 0
            while a < n and p + a < total and fk[p + a] == bk[a]:
                a += 1
        # the file holds one line the model left out: window of n + 1 lines
        end = p + n + 1
        if a < n and end <= total:
            b = ends_with(end, n)
            for k in range(max(1, n - b), min(a, n - 1) + 1):
                mapping: list[int | None] = [p + i if i < k else p + i + 1 for i in range(n)]
                mapped = [lines[m].rstrip() for m in mapping if m is not None]
                if _settled_gap(ops, at, roles, mapped, k, lines[p + k].rstrip()):
                    settle(p, end, mapping)
                else:
                    # next to a change: the left-out line could go before or after the added
                    # lines, or be meant as removed; more than one reading, so no reading
                    unsure.append(p)
        # the model holds one context line the file lacks: window of n - 1 lines
        end = p + n - 1
        if end <= total:
            b = ends_with(end, n - 1)
            for j in range(max(1, n - 1 - b), min(a, n - 2) + 1):
                if roles[j] == " ":
                    mapping = [
                        p + i if i < j else (None if i == j else p + i - 1) for i in range(n)
                    ]
                    settle(p, end, mapping)
    found = cands.as_located("context")
    if unsure:  # each unsure window has at least two readings: never unique
        found += [Located(q, q, ("", str(r)), "context") for q in unsure for r in (0, 1)]
    return found


_ONE_OFF = (
    "one line differs between the hunk and the file, and the hunk then fits in more than "
    "one way ({n} readings, near line {shown}); refusing to guess"
)


def closest_region(file: Sequence[str], expected: Sequence[str]) -> Region | None:
    """The stretch of ``file`` most like ``expected``, for error messages.

    Bounded whatever the input: windows are ranked by how many of their lines occur in
    ``expected`` (one linear pass), and only the best dozen are scored by :func:`similarity`.
    """
    n = len(expected)
    if not file or not n:
        return None
    want = {x.strip() for x in expected if x.strip()}
    hits = [1 if x.strip() in want else 0 for x in file]
    window = min(n, len(file))
    sums = [sum(hits[:window])]
    for i in range(window, len(file)):
        sums.append(sums[-1] + hits[i] - hits[i - window])
    order = heapq.nsmallest(12, range(len(sums)), key=lambda i: (-sums[i], i))
    target = [x.rstrip() for x in expected]
    best: tuple[float, int] | None = None
    for s in order:
        ratio = similarity(target, [x.rstrip() for x in file[s : s + window]])
        if best is None or ratio > best[0] + 1e-12:
            best = (ratio, s)
    assert best is not None
    ratio, s = best
    return Region(s + 1, s + window, round(ratio, 4), tuple(file[s : s + window]))


LINE_CHARS = 400
"""Characters of a line compared when two lines differ (the rest of a longer line is not)."""


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """How alike two stretches of lines are, from 0 to 1 (difflib's ratio, by line).

    Lines are aligned by :class:`LineMatcher` (bounded); an equal line counts 1, and each
    line of a replaced block counts the share of characters it has in common with the line
    it replaces (multiset overlap, linear). Character-level difflib is not used: on
    repetitive text it is cubic (a refused 231-line hunk of braces took 55 s).
    """
    if not a and not b:
        return 1.0
    matched = 0.0
    for tag, i1, i2, j1, j2 in LineMatcher(a, b).get_opcodes():
        if tag == "equal":
            matched += i2 - i1
        elif tag == "replace":
            matched += sum(_line_overlap(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=False))
    return 2.0 * matched / (len(a) + len(b))


def _line_overlap(x: str, y: str) -> float:
    """The characters two lines share (as multisets), over their mean length."""
    x, y = x.rstrip()[:LINE_CHARS], y.rstrip()[:LINE_CHARS]
    if not x and not y:
        return 1.0
    common = Counter(x) & Counter(y)
    return 2.0 * sum(common.values()) / (len(x) + len(y))


def _anchor_scope(fl: FileLines, anchors: Sequence[str], lo: int) -> tuple[int, int] | None:
    keys = fl.keys("indent")
    pos = lo
    last = ""
    for anchor in anchors:
        a = anchor.strip()
        found = next((i for i in range(pos, len(keys)) if keys[i] and keys[i].startswith(a)), None)
        if found is None:
            return None
        pos, last = found + 1, a
    hi = next((i for i in range(pos, len(keys)) if keys[i] and keys[i].startswith(last)), None)
    return pos, len(keys) if hi is None else hi


def _choose(fl: FileLines, hunk: Hunk, found: list[Located], lo: int) -> Located | Miss | None:
    if hunk.at_eof:
        found = [c for c in found if c.end == len(fl.lines)]
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    if hunk.anchors:
        scope = _anchor_scope(fl, hunk.anchors, lo)
        if scope is not None:
            inside = [c for c in found if scope[0] <= c.start and c.end <= scope[1]]
            if len(inside) == 1:
                return inside[0]
    starts = tuple(sorted({c.start + 1 for c in found}))
    shown = ", ".join(str(s) for s in starts[:8]) + (" ..." if len(starts) > 8 else "")
    if all(c.level == "context" for c in found):
        detail = (
            f"one line differs between the hunk and the file, and the hunk then fits in more "
            f"than one way (near line {shown}); refusing to guess"
        )
    else:
        detail = (
            f"the lines to replace occur {len(found)} times (at lines {shown}); "
            "refusing to guess which one is meant"
        )
    return Miss("ambiguous", detail, candidates=starts)


def _ladder(fl: FileLines, hunk: Hunk, ops: Ops, lo: int) -> Located | Miss | None:
    scopes = [lo, 0] if lo > 0 else [0]
    eof = hunk.at_eof
    rungs: list[Callable[[int], list[Located] | Miss]] = [
        lambda s: _contiguous(fl, ops, "exact", s, eof),
        lambda s: _contiguous(fl, ops, "whitespace", s, eof),
        lambda s: _contiguous(fl, ops, "indent", s, eof),
        lambda s: _one_line_off(fl, ops, s),
    ]
    for rung in rungs:
        for s in scopes:
            found = rung(s)
            if isinstance(found, Miss):
                return found
            result = _choose(fl, hunk, found, s)
            if result is not None:
                return result
    return None


def _split_elisions(ops: Ops) -> list[list[tuple[Op, str]]]:
    segments: list[list[tuple[Op, str]]] = [[]]
    for op, text in ops:
        if op == " " and text.strip() == ELISION:
            segments.append([])
        else:
            segments[-1].append((op, text))
    return segments


def _elided(fl: FileLines, hunk: Hunk, lo: int) -> Located | Miss | None:
    segments = _split_elisions(hunk.lines)
    if len(segments) < 2:
        return None
    pos = lo
    first: Located | None = None
    out: list[str] = []
    for seg in segments:
        if not any(op != "+" for op, _ in seg):
            if any(op == "+" for op, _ in seg):
                return Miss("no-match", "added lines next to '...' have nothing to anchor them")
            continue
        sub = Hunk(tuple(seg))
        result = _ladder(fl, sub, seg, pos)
        if not isinstance(result, Located) or result.start < pos:
            return result if isinstance(result, Miss) else None
        if first is not None:
            out.extend(fl.lines[pos : result.start])
        else:
            first = result
        out.extend(result.lines)
        pos = result.end
    if first is None:
        return None
    return Located(first.start, pos, tuple(out), "elision")


TOLERATED: dict[Level, str] = {
    "whitespace": "trailing whitespace ignored",
    "indent": "indentation ignored",
    "context": "one context line differs from the file",
    "elision": "lines elided with '...'",
}
"""What each loose rung tolerates, in the words a reviewer is shown."""


def _noted(found: Located) -> Located:
    """``found`` with its rung's tolerance named, unless it already names what it tolerated."""
    if found.tolerances or found.level not in TOLERATED:
        return found
    return replace(found, tolerances=(TOLERATED[found.level],))


def locate(lines: FileLines | Sequence[str], hunk: Hunk, *, lo: int = 0) -> Located | Miss:
    """Find where ``hunk`` goes in ``lines``; search from ``lo`` first (ordered formats).

    A hunk placed by a tolerance says which in ``Located.tolerances``.
    """
    found = _locate(lines, hunk, lo)
    return _noted(found) if isinstance(found, Located) else found


def _locate(lines: FileLines | Sequence[str], hunk: Hunk, lo: int) -> Located | Miss:
    fl = lines if isinstance(lines, FileLines) else FileLines(lines)
    if not hunk.before:
        if hunk.at_eof:
            n = len(fl.lines)
            return Located(n, n, hunk.after, "exact")
        return Miss("no-context", "the hunk has no context or removed lines to locate it by")
    result = _ladder(fl, hunk, hunk.lines, lo)
    if isinstance(result, Located):
        return result
    if result is None:
        elided = _elided(fl, hunk, lo)
        if isinstance(elided, Located):
            return elided
    if isinstance(result, Miss):
        return Miss(result.kind, result.detail, None, result.candidates)
    return Miss(
        "no-match",
        "the lines to replace are not in the file (tried exact, trailing whitespace, "
        "indentation and one-line context tolerance)",
        closest_region(fl.lines, [t for t in hunk.before if t.strip() != ELISION]),
    )
