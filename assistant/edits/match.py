"""Locate a hunk in a file by its content: the matching ladder. Pure functions over lines.

The ladder, loosest last; the first rung with any candidate decides:

1. ``exact``: the lines the hunk expects appear verbatim;
2. ``whitespace``: equal once trailing whitespace is ignored;
3. ``indent``: equal once indentation is ignored. Where the file is indented by one uniform
   offset from the model's copy, the added lines are re-indented by it; where only the
   context lines drifted (a space or two) while the ``-`` lines are right, the ``+`` lines
   are kept as written (see ``_fit``);
4. ``context``: as ``indent``, with one context line the model added that the file lacks,
   or one file line the model left out, wherever that line then has one place in the result
   (lines added where the left-out line was could go on either side of it: refused, unless
   they are copies of it). Its windows are read at the strictest equality of the rungs
   above that their kept lines meet, and the strictest with any reading decides, as the
   rungs themselves do. A SEARCH/REPLACE pair's roles are then one of its best alignments
   (``_aligned``), and the left-out line is placed only where all of them agree;
5. ``elision``: a context line ``...`` stands for lines left out (see ``hunks.ELISION``).

A match must be unique, or be singled out by what the answer says, in this order:

- the hunks' order: hunks of a diff or patch, and the SEARCH/REPLACE blocks of a file, are
  in file order, so a hunk is searched after the previous one's match first and the whole
  file only when nothing is found there (``placed after the previous hunk``);
- ``@@`` anchors (``*** Begin Patch``) narrow a tie to the region after the anchor line;
- the ``@@ -N`` line number. ``git apply`` (``find_pos``) and GNU ``patch``
  (``locate_hunk``: ``pch_first() + last_offset``) start at the stated line, shifted by how
  far the previous hunk was from its own, and take the nearest match, forward first, however
  far. Model line numbers are often wrong, and among repeats the nearest is then the wrong
  one: on repeated hunks of real files, "nearest" placed 23 of 300 wrongly with numbers off
  by 5-10, 51 with every number off by 20, 162 with random numbers. So a number picks a
  candidate only when (a) the shifted line hits it exactly (``NEAR``) and no other candidate
  is within 3 lines (``CLEAR``), (b) the pick is at most ``FAR`` lines from the stated line,
  and (c) every other hunk of the file placed by its content alone was found as far from
  its stated line (``AGREE``), and there is one: the shift came from the previous such
  hunk, so (c) asks the numbers to be right relative to each other, which wrong numbers
  rarely are (the check is in ``apply._checked_hints``, the rule in ``hint_disagrees``).
  A hunk stated at line 1 only bounds the shift from below: a model whose numbers are all
  ``d`` too low writes 1 for every hunk in the first ``d`` lines (it cannot write less),
  so such a hunk refutes only a smaller shift, and it never is the one (c) asks for (its
  shift, moved into the next hunk's hint, landed on the wrong repeat: asyncio's
  transports.py with numbers 60 too low, silently wrong before). (b) gives way where the
  numbers bear themselves out beyond the hunk that moved the hint: two hunks found at
  their stated lines moved by one shift, or one and headers that agree as below (numbers
  off by 60 are off by 60 everywhere). A number that, as written, is within ``CLEAR`` of
  another of the hunk's places reads two ways, the previous hunk's shift carrying over or
  that hunk's number alone being off, and stands only with those two hunks (a model whose
  copy of the file differs between two hunks: CPython's traceback.py, numbers right after
  the difference, had the ``__cause__`` call edited for the ``__context__`` one). Measured
  on 1,000 diffs of 2-4 hunks, one on repeated lines, per way of getting the numbers wrong
  (stdlib files): none wrong with numbers random, or random with each ``+N`` in step, every
  ``-N`` 40, 60 or 150 too low (clamped at 1), or one hunk's off by 20-300 (1 wrong
  before; and 1 of 200 with every ``-N`` 60 too low), while with every ``-N`` 60 too low
  556 are placed (76 before), 150 too low 461 (75). Numbers each off by 5-10 on their own
  still put 2 of 1,000 wrong, as before: a hit on the other repeat that every other hunk
  happens to bear out. Where no hunk of the file was placed by its content
  alone away from line 1 (a single hunk of repeated lines, or every hunk repeated), (c)
  is met instead by the headers agreeing as ``git diff`` writes them
  (``apply._headers_agree``): each hunk's counts are its lines and each ``+N`` is its
  ``-N`` moved by what the hunks before it add and remove, and the pick is at the stated
  line itself. A model that miscounts where a hunk starts shifts ``-N`` and rarely keeps
  ``+N`` in step. Measured the same way (``match_probe/relax.py 300``: stdlib files, a
  hunk on repeated lines), this places 98% of repeated hunks with right numbers and 99%
  of single hunks with right numbers, and none wrongly with numbers off by 1-3, 5-10,
  every ``-N`` off by 20 or by -7, or random (accepting any unrefuted exact hit instead
  put 7 of 300 single hunks wrong with every ``-N`` off by 20); on the benchmark, git's
  own diffs of repeated lines go from 87.9% to 100%. A number that hits no candidate is
  no evidence for the nearest one: a model's numbers are off by an unknown amount. A
  number that clearly points before the previous hunk while the order points after it is
  refused. The shift is taken in the original file's lines: hunks are all located against
  the original text, where ``-N`` counts, so the lines earlier hunks add or remove do not
  enter it.

An exact (or whitespace or indentation) match far from the hunk's line number is refused
when the hunk fits exactly at that number with one context line left out: the answer then
reads two ways (``_gainsaid``).

A tie nothing breaks fails, naming every place. Looser rungs only locate the block: the
file's own context lines are written back, never the model's copy of them. What was
tolerated is named in ``Located.tolerances``.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Literal

from .diff import LineMatcher
from .failures import FailureKind, Region
from .hunks import ELISION, Hunk, Op

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
    searched: bool = True
    """False when the costly part of the report (closest region, enclosing lines of each
    place) was skipped to bound an answer of many refused hunks."""


Ops = Sequence[tuple[Op, str]]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _offset(pairs: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """The uniform indentation change from model lines to file lines, as (add, remove);
    None when two lines change by different amounts (a line left as it was counts too)."""
    found: tuple[str, str] | None = None
    for model, file in pairs:
        if not model.strip() or not file.strip():
            continue
        mi, fi = _indent(model), _indent(file)
        if fi.endswith(mi):
            d = (fi[: len(fi) - len(mi)], "")
        elif mi.endswith(fi):
            d = ("", mi[: len(mi) - len(fi)])
        else:
            return None
        if found is None:
            found = d
        elif d != found:
            return None
    return found or ("", "")


def _reindent(text: str, offset: tuple[str, str]) -> str | None:
    add, remove = offset
    if not text.strip():
        return text
    if remove:
        return text[len(remove) :] if text.startswith(remove) else None
    return add + text


DRIFT = "context indentation differs from the file"
UNSETTLED = "\x00 the added lines' indentation could not be settled"
"""A line no file holds, in the two readings that stand for a place with no reading."""


def _width(line: str) -> int:
    return len(line) - len(line.lstrip())


def indent_unit(lines: Sequence[str]) -> int:
    """The file's indentation step: the commonest increase between consecutive lines (4 in
    most Python, 2 in much JavaScript, 1 for tabs); 1 when the file has no indented block."""
    steps: dict[int, int] = {}
    prev: int | None = None
    for line in lines:
        if not line.strip():
            continue
        w = _width(line)
        if prev is not None and w > prev:
            steps[w - prev] = steps.get(w - prev, 0) + 1
        prev = w
    return max(steps, key=lambda k: (steps[k], -k)) if steps else 1


def _enclosing(above: Sequence[str]) -> set[int]:
    """The indentation widths of the lines that enclose the last of ``above``: each the
    nearest line above indented less than the one before."""
    out: set[int] = set()
    width: int | None = None
    for x in reversed(above):
        if not x.strip():
            continue
        w = _width(x)
        if width is None or w < width:
            if width is not None:
                out.add(w)
            width = w
    return out


def _steps(region: Sequence[str]) -> set[int]:
    """The indentation steps taken inside ``region``: a Markdown list nested by 2 in a file
    whose commonest step is 4 (its code blocks) nests by 2 there."""
    widths = [_width(x) for x in region if x.strip()]
    return {b - a for a, b in itertools.pairwise(widths) if b > a}


def _plausible(file: Sequence[str], start: int, end: int, lines: Sequence[str],
               unit: int) -> bool:  # fmt: skip
    """Whether the first line of each run of lines new to ``file[start:end]`` (as ``lines``
    replaces it) is indented like a neighbour: as the line before or after it, one step
    deeper than the line before (a new block: the file's step, or one the region takes), or
    as a line that encloses the one before (a block closed: a method added after the last
    statement of the one before it). Used to choose between two readings of an insertion's
    indentation."""
    old = set(file[start:end])  # exact: an added line equal to a file line once stripped is new
    steps = {unit} | _steps(file[start:end])
    prev: str | None = next((x for x in reversed(file[max(0, start - 50) : start]) if x.strip()),
                            None)  # fmt: skip
    fresh = True
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        if line in old:
            fresh, prev = True, line
            continue
        if fresh:
            after = next((x for x in lines[k + 1 :] if x.strip() and x in old), None)
            if after is None:
                after = next((x for x in file[end : end + 50] if x.strip()), None)
            widths = {_width(x) for x in (prev, after) if x is not None}
            if prev is not None:
                widths |= {_width(prev) + step for step in steps}
                above = [*file[max(0, start - 50) : start], *lines[max(0, k - 50) : k]]
                widths |= _enclosing(above[-50:])
            if _width(line) not in widths:
                return False
        fresh, prev = False, line
    return True


Check = Literal["none", "plausible", "rival"]
Reading = tuple[tuple[str, str], tuple[str, ...], Check]
"""An indentation offset for the added lines, the tolerances it needs, and how the result is
taken: as it renders (``none``), only if it passes :func:`_plausible` (``plausible``), or
as one of two rival readings that are both taken when both are plausible (``rival``: the
hunk then has two readings, and a tie is refused)."""


def _on_grid(fl: FileLines, offset: tuple[str, str]) -> bool:
    """Whether a shift could be a block moved as a whole: a whole number of the file's
    indentation steps, made of the file's own indentation character (two spaces in a file
    indented with tabs are drift, never a block shift)."""
    shift = offset[0] or offset[1]
    return not shift or (len(shift) % fl.unit() == 0 and set(shift) == {fl.indent_char()})


def _braces_alone(fl: FileLines, pairs: Sequence[tuple[str, str]]) -> bool:
    """Whether the only lines indented otherwise than the file are lines of no word, while
    lines with words are there and exact (a hunk of braces alone has nothing else to go by),
    and one of them, as the model wrote it, is another line of the file: a brace the model
    indented as the file has a brace elsewhere is more likely that one (gson: the class's
    ``}`` read as the method's ``  }`` above it, whose own line the answer left out). A
    ``*/`` written one space off a Javadoc's `` */``, in a file with no ``*/`` of its own,
    could be no other line: it drifted."""
    moved = [m for m, f in pairs if m.strip() and _indent(m) != _indent(f)]
    worded = any(any(c.isalnum() for c in m) for m, _f in pairs)
    if not moved or not worded or any(c.isalnum() for m in moved for c in m):
        return False
    return any(fl.positions("exact", m) for m in moved)


def _fit(
    fl: FileLines, roles: Sequence[str], pairs: Sequence[tuple[str, str]], block: bool = False
) -> list[Reading]:
    """How to indent the added lines when the hunk matched with indentation ignored: the
    offsets to try, from the model's lines to the file's, best first.

    One uniform offset over every line is a block shifted as a whole (an outdented SEARCH
    block; with ``block``, a SEARCH/REPLACE pair, always so): the added lines move with it.
    Otherwise the removed lines are the measure: a model whose context lines drifted by a
    space or two while its ``-`` lines are right wrote its ``+`` lines right too, so they are
    kept as written; removed lines that are off themselves, by another offset than the
    context, are mixed offsets: no reading. A hunk with no removed line has only its context
    to go by. Context lines that disagree are read as drift: the added lines are kept as
    written, if they then sit like their neighbours, unless only lines of no word (``}``)
    moved and the file has one of them as written: their indentation is all that tells
    them from that brace (gson's ``}`` of a class read as the ``  }`` of the method above
    it, the other lines exact; see :func:`_braces_alone`). One shift of
    every context line could be either the block moved as a whole (the added lines move
    with it) or the context alone drifted (they are kept): whichever of the two sits like
    its neighbours is taken, and both is a tie, refused (``- master`` added under ``only:``
    in a YAML file, 2 spaces off, reads both ways). Where neither does, a shift on the
    file's indentation grid is taken as the block's; one off it (1 or 2 spaces in a 4-space
    file, spaces in a file indented with tabs) is not.
    """
    whole = _offset(pairs)
    removed = [pr for pr, role in zip(pairs, roles, strict=True) if role == "-"]
    if any(m.strip() and f.strip() for m, f in removed):
        if whole is not None:
            return [(whole, (), "none")]
        own = _offset(removed)  # right as written, or the indentation is mixed
        return [(own, (DRIFT,), "none")] if own == ("", "") else []
    if whole == ("", "") or (whole is not None and block):
        return [(whole, (), "none")]
    if whole is None:
        if _braces_alone(fl, pairs):
            return []  # a brace that drifted alone is more likely another brace: not here
        return [(("", ""), (DRIFT,), "plausible")]
    rivals: list[Reading] = [(whole, (), "rival"), (("", ""), (DRIFT,), "rival")]
    return [*rivals, (whole, (), "none")] if _on_grid(fl, whole) else rivals


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
        self.items: dict[
            tuple[int, int, tuple[str, ...]], tuple[int, int, tuple[str, ...], tuple[str, ...]]
        ] = {}

    def add(
        self, start: int, end: int, lines: tuple[str, ...] | None, notes: tuple[str, ...] = ()
    ) -> None:
        if lines is None:
            return
        s, e, i, j = start, end, 0, len(lines)
        while s < e and i < j and self.file[s] == lines[i]:
            s, i = s + 1, i + 1
        while s < e and i < j and self.file[e - 1] == lines[j - 1]:
            e, j = e - 1, j - 1
        self.items.setdefault((s, e, lines[i:j]), (start, end, lines, notes))

    def as_located(self, level: Level) -> list[Located]:
        return [Located(s, e, lines, level, notes) for (s, e, lines, notes) in self.items.values()]


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
        self._unit: int | None = None
        self._char: str | None = None
        self._widths: frozenset[int] | None = None

    def unit(self) -> int:
        """The file's indentation step (see :func:`indent_unit`), computed once."""
        if self._unit is None:
            self._unit = indent_unit(self.lines)
        return self._unit

    def widths(self) -> frozenset[int]:
        """Every indentation width a non-blank line of the file has."""
        if self._widths is None:
            self._widths = frozenset(_width(x) for x in self.lines if x.strip())
        return self._widths

    def indent_char(self) -> str:
        """The character most of the file's indented lines start with (a space or a tab)."""
        if self._char is None:
            tabs = sum(1 for x in self.lines if x.startswith("\t"))
            spaces = sum(1 for x in self.lines if x.startswith(" "))
            self._char = "\t" if tabs > spaces else " "
        return self._char

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
    fl: FileLines, ops: Ops, level: Level, lo: int, eof: bool = False, block: bool = False
) -> list[Located] | Miss:
    before = [t for op, t in ops if op != "+"]
    n = len(before)
    fn = _KEYS[level]
    fk = fl.keys(level)
    starts = [p for p in fl.positions(level, fn(before[0])) if p >= lo and p + n <= len(fk)]
    if eof:
        starts = [p for p in starts if p + n == len(fk)]
    if not starts:  # no place to check: the block's keys are not needed
        return []
    bk = [fn(x) for x in before]
    if len(starts) * n > _DIRECT:
        forward = fl.runs(level, bk)[0]
        starts = [p for p in starts if forward[p] >= n]
    else:
        starts = [p for p in starts if fk[p : p + n] == bk]
    if len(starts) > CAP:
        return _too_many(starts, _MANY)
    roles = [op for op, _ in ops if op != "+"]
    cands = _Candidates(fl.lines)
    for p in starts:
        mapping: list[int | None] = list(range(p, p + n))
        if level == "indent":
            pairs = list(zip(before, fl.lines[p : p + n], strict=True))
            _take(cands, fl, p, p + n, ops, mapping, _fit(fl, roles, pairs, block), ())
        else:
            own = (
                _own_copies(ops, before, fl.lines[p : p + n]) if level != "exact" and block else ops
            )
            cands.add(p, p + n, _render(fl.lines, p, p + n, own, mapping, ("", "")))
    return cands.as_located(level)


def _own_copies(ops: Ops, before: Sequence[str], file: Sequence[str]) -> Ops:
    """``ops`` with each added line that is a verbatim copy of one of the block's own lines
    written as the file has that line. In a SEARCH/REPLACE block the unchanged lines are
    written twice, and where the model's copy of a line drifted (trailing whitespace), the
    REPLACE side carries the drift too; when repeated lines make the two sides pair up
    otherwise than meant, such a copy is an added line, and the file's own line is what it
    stands for (packaging's test.yml: ``shell: bash `` with a space the file does not have).
    A copy of lines the file holds in different forms is left as written."""
    found: dict[str, str | None] = {}
    for model, own in zip(before, file, strict=True):
        if model != own:
            found[model] = own if found.get(model, own) == own else None
    if not found:
        return ops
    return [(op, found.get(t) or t) if op == "+" else (op, t) for op, t in ops]


def _take(
    cands: _Candidates,
    fl: FileLines,
    start: int,
    end: int,
    ops: Ops,
    mapping: Sequence[int | None],
    readings: Sequence[Reading],
    notes: tuple[str, ...],
) -> None:
    """Add the first of ``readings`` that renders (and, where asked, sits plausibly); rival
    readings first, every plausible one of them (two that differ are a tie).

    Where no rival sits plausibly, the test has not chosen: the rivals that can be written
    at all are weighed as plausible ones are (a reading that indents a line as the file
    never does is out). Moving the added lines with the context may take a line left of
    column 0 (``def`` added after context drifted one space right), and then the other
    reading is the only one: more-itertools's ``consecutive_groups`` added after a long
    function, whose ``def`` is more lines above than :func:`_plausible` looks, at 0 as
    written or at 2 with every line 2 off (a 4-space file has no line at 2).

    A place with no reading is still a place the hunk's lines are at: it is added as two
    readings that can never be applied, so another place is never taken as the only one
    (a Python test file where the hunk's context repeats, 46 lines apart: the stated place
    had no plausible reading, and the other was taken)."""
    rivals: dict[tuple[str, ...], tuple[str, ...]] = {}
    rendered: dict[tuple[str, ...], tuple[str, ...]] = {}  # every rival that renders
    for offset, more, check in readings:
        out = _render(fl.lines, start, end, ops, mapping, offset)
        if out is None:
            continue
        if check == "rival":
            rendered.setdefault(out, more)
            if _plausible(fl.lines, start, end, out, fl.unit()):
                rivals.setdefault(out, more)
            continue
        if rivals:
            break
        if check == "plausible" and not _plausible(fl.lines, start, end, out, fl.unit()):
            continue
        cands.add(start, end, out, notes + more)
        return
    if not rivals:  # none sits like its neighbours: the ones that can be written
        rivals = rendered
    if len(rivals) > 1:  # a reading that indents a line as the file never does is out
        used = fl.widths()
        kept = {out: more for out, more in rivals.items()
                if all(_width(x) in used for x in out if x.strip())}  # fmt: skip
        rivals = kept if len(kept) == 1 else rivals
    for out, more in rivals.items():
        cands.add(start, end, out, notes + more)
    if not rivals and readings:
        for k in (0, 1):  # no reading here: a tie at this place, never applied
            cands.add(start, end, (UNSETTLED, str(k)), (*notes, DRIFT))


def _settled_gap(ops: Ops, at: Sequence[int], k: int, left_out: str) -> bool:
    """Whether a file line the model left out (``left_out``), between its lines ``k - 1``
    and ``k``, has one place in the result.

    Its place among the file's lines is fixed; what can be in doubt is its order against
    lines added between the two. With none added there, it has one place; with added lines
    there it could go before any of them or after them all, and the readings differ unless
    every added line there is the left-out line itself (a blank line next to added blank
    lines). A removed line ``k - 1`` does not settle it: ``-X +Y [L] C`` is as often
    ``-X +Y L C`` as ``-X L +Y C`` or ``-X +Y1 L +Y2 C`` (python-attrs/attrs@3fee5ea5c6,
    setup.py, where reading it as the first put ``zip_safe=False`` before ``packages=``).
    A left-out line that repeats its neighbours (one of a run of blank lines) is settled
    by trying every place in the run: the readings are compared by their effect, and they
    must all agree.
    """
    return all(ops[i][1] == left_out for i in range(at[k - 1] + 1, at[k]))


LCS_CELLS = 250_000
"""Largest hunk (lines to find times lines written) whose alignment is weighed to settle a
left-out line; past it such a line is never placed (bounded time on any answer)."""


def _table(a: Sequence[str], b: Sequence[str]) -> list[list[int]]:
    """Edit distance over lines, a changed line costing one (a replacement, as a diff pairs
    ``-`` and ``+`` lines), a removed or added line one: ``t[i][j]`` aligns ``a[:i]`` with
    ``b[:j]``."""
    t = [list(range(len(b) + 1))]
    for i, x in enumerate(a):
        prev, row = t[-1], [i + 1] + [0] * len(b)
        for j, y in enumerate(b):
            row[j + 1] = min(prev[j] + (x != y), prev[j + 1] + 1, row[j] + 1)
        t.append(row)
    return t


def _cost(ops: Ops) -> int:
    """What ``ops`` costs as an alignment: each run of changes, its longer side."""
    cost = removed = added = 0
    for op, _t in (*ops, (" ", "")):
        if op == " ":
            cost, removed, added = cost + max(removed, added), 0, 0
        elif op == "-":
            removed += 1
        else:
            added += 1
    return cost


def _aligned(ops: Ops) -> Ops:
    """A SEARCH/REPLACE pair's ops as one of its best alignments (see :func:`_splits`), or
    as they are when they are one already (or the pair is too large to weigh).

    The pair's own diff (difflib's longest block first) can be worse than the best: gson's
    GsonBuilderTest.java, where imports move, kept two imports and moved five lines around
    them, which put five added lines between the two blank lines around a left-out
    ``package`` line, and no place for it. Each run of changes keeps its ``-`` lines before
    its ``+`` lines, as a diff writes them."""
    a = [t for op, t in ops if op != "+"]
    b = [t for op, t in ops if op != "-"]
    if len(a) * len(b) > LCS_CELLS:
        return ops
    ka, kb = a, b
    t = _table(ka, kb)
    if _cost(ops) == t[-1][-1]:
        return ops
    out: list[tuple[Op, str]] = []
    removed: list[str] = []
    added: list[str] = []
    i, j = len(a), len(b)
    while i or j:
        if i and j and ka[i - 1] == kb[j - 1] and t[i][j] == t[i - 1][j - 1]:
            out += [("+", x) for x in added] + [("-", x) for x in removed]
            removed, added = [], []
            out.append((" ", a[i - 1]))
            i, j = i - 1, j - 1
        elif i and t[i][j] == t[i - 1][j] + 1:
            removed.append(a[i - 1])
            i -= 1
        elif j and t[i][j] == t[i][j - 1] + 1:
            added.append(b[j - 1])
            j -= 1
        else:
            removed.append(a[i - 1])
            added.append(b[j - 1])
            i, j = i - 1, j - 1
    out += [("+", x) for x in added] + [("-", x) for x in removed]
    return tuple(reversed(out))


def _splits(ops: Ops) -> list[set[int]] | None:
    """For each ``k``, the places ``j`` in the hunk's written lines where a line left out
    between its lines to find ``k - 1`` and ``k`` can sit with the rest aligned as well as
    possible (the fewest lines changed, removed or added between found and written lines,
    split at ``k`` and ``j``); None when the hunk is too large to weigh.

    The ``-``/``+`` roles of a SEARCH/REPLACE pair are the engine's own diff, one of several
    equally good ones where a line moved: a left-out line is settled only where every good
    alignment puts it in one place. Lines are compared as the pair's own diff compares them,
    verbatim: both sides are the model's, so a line whose indentation (or trailing
    whitespace) changed is a changed line, not an equal one (packaging's tags.py: ``formats.extend(...)``
    moved out of an ``if`` read as unchanged made a left-out ``if cpu_arch == ...:`` fit
    after the new ``if`` as well as before it)."""
    a = [t for op, t in ops if op != "+"]
    b = [t for op, t in ops if op != "-"]
    n, m = len(a), len(b)
    if n * m > LCS_CELLS:
        return None
    fwd = _table(a, b)
    # bwd[i][j] aligns a[i:] with b[j:]
    bwd = [[0] * (m + 1) for _ in range(n + 1)]
    bwd[n] = [m - j for j in range(m + 1)]
    for i in range(n - 1, -1, -1):
        nxt, row = bwd[i + 1], bwd[i]
        row[m] = n - i
        for j in range(m - 1, -1, -1):
            row[j] = min(nxt[j + 1] + (a[i] != b[j]), nxt[j] + 1, row[j + 1] + 1)
    best = fwd[n][m]
    return [{j for j in range(m + 1) if fwd[k][j] + bwd[k][j] == best} for k in range(n + 1)]


def _one_place(ops: Ops, at: Sequence[int], k: int, left_out: str,
               weighed: dict[int, list[set[int]] | None]) -> bool:  # fmt: skip
    """Whether the left-out line has one place by every good alignment (see :func:`_splits`):
    where the hunk's own roles put it (before the written lines of its line ``k``), or only
    at places that give the same text."""
    if 0 not in weighed:
        weighed[0] = _splits(ops)
    splits = weighed[0]
    if splits is None:
        return False
    written = [t for op, t in ops if op != "-"]
    mine = sum(1 for op, _ in ops[: at[k]] if op != "-")
    lo, hi = min(splits[k] | {mine}), max(splits[k] | {mine})
    return mine in splits[k] and all(t == left_out for t in written[lo:hi])


def _tier(before: Sequence[str], lines: Sequence[str], mapping: Sequence[int | None]) -> int:
    """How strictly a window's kept lines match: 0 verbatim, 1 once trailing whitespace is
    ignored, 2 once indentation is ignored (the rungs before the context rung, in order)."""
    pairs = [(before[i], lines[f]) for i, f in enumerate(mapping) if f is not None]
    if all(m == f for m, f in pairs):
        return 0
    return 1 if all(m.rstrip() == f.rstrip() for m, f in pairs) else 2


class _Windows:
    """The readings of one hunk's windows in the context rung, by tier (see :func:`_tier`);
    the hunk's roles are taken once a window needs them (for a SEARCH/REPLACE pair, a best
    alignment: see :func:`_aligned`, which costs the hunk's length times its written lines).
    """

    def __init__(self, fl: FileLines, ops: Ops, diffed: bool, tiered: bool) -> None:
        self.fl, self.ops, self.diffed, self.tiered = fl, ops, diffed, tiered
        self.before = [t for op, t in ops if op != "+"]
        self.roles: list[str] = []
        self.at: list[int] = []  # index in ``ops`` of each before line
        self.tiers = [_Candidates(fl.lines) for _ in range(3)]
        self.unsure: list[list[int]] = [[], [], []]
        self.weighed: dict[int, list[set[int]] | None] = {}  # _splits(ops), once needed
        self._t = (*(c.items for c in self.tiers), *self.unsure)

    def realign(self) -> None:
        if self.roles:
            return
        if self.diffed:
            self.ops = _aligned(self.ops)
        self.roles = [op for op, _ in self.ops if op != "+"]
        self.at = [i for i, (op, _) in enumerate(self.ops) if op != "+"]

    def count(self) -> int:  # per start: no generators (a file of braces has a start a line)
        t0, t1, t2, u0, u1, u2 = self._t
        return len(t0) + len(t1) + len(t2) + len(u0) + len(u1) + len(u2)

    def tier(self, mapping: Sequence[int | None]) -> int:
        return _tier(self.before, self.fl.lines, mapping) if self.tiered else 2

    def settle(self, p: int, end: int, mapping: list[int | None], note: str) -> None:
        self.realign()
        lines, before = self.fl.lines, self.before
        kept = [i for i, f in enumerate(mapping) if f is not None]
        pairs = [(before[i], lines[f]) for i, f in enumerate(mapping) if f is not None]
        readings = _fit(self.fl, [self.roles[i] for i in kept], pairs, self.diffed)
        cands = self.tiers[self.tier(mapping)]
        _take(cands, self.fl, p, end, self.ops, mapping, readings, (note,))

    def left_out(self, p: int, k: int) -> None:
        """The window at ``p`` with the file's line ``p + k`` left out of the hunk: placed
        where it has one place, else a place with two readings (lines added where the
        left-out line was: it could go before them or after them)."""
        self.realign()
        n, left = len(self.before), self.fl.lines[p + k]
        mapping: list[int | None] = [p + i if i < k else p + i + 1 for i in range(n)]
        if _settled_gap(self.ops, self.at, k, left) and (
            not self.diffed or _one_place(self.ops, self.at, k, left, self.weighed)
        ):
            self.settle(p, p + n + 1, mapping, LEFT_OUT)
        else:
            self.unsure[self.tier(mapping)].append(p)

    def places(self) -> list[int]:
        placed = {q for c in self.tiers for (q, _e, _l, _n) in c.items.values()}
        return sorted(placed | {q for u in self.unsure for q in u})

    def result(self) -> list[Located]:
        best = next((t for t in range(3) if self.tiers[t].items or self.unsure[t]), 2)
        out = self.tiers[best].as_located("context")
        # each unsure window has at least two readings: never unique
        out += [Located(q, q, ("", str(r)), "context") for q in self.unsure[best] for r in (0, 1)]
        return out


def _one_line_off(fl: FileLines, ops: Ops, lo: int, diffed: bool = False, eof: bool = False,
                  tiered: bool = True) -> list[Located] | Miss:  # fmt: skip
    """Candidates with one extra model context line, or one file line the model left out.

    Windows are read at the strictest of the earlier rungs' equalities their kept lines meet,
    and the strictest with any reading decides (``tiered``), as the ladder's rungs do: a
    hunk that fits with its lines verbatim and one line left out is not also read where it
    fits only with indentation ignored (gson's MapTest.java: a left-out ``  }`` after a
    ``    }``, which once stripped could be either of the two). At the end of the file
    (``eof``), a hunk whose lines all match, indentation ignored, short of the end is also
    read with one line left out: only that window ends there (gson's StringMap.java: the
    class's ``}`` after a left-out ``  }``)."""
    w = _Windows(fl, ops, diffed, tiered)
    n = len(w.before)
    # two lines with one left out between them still say where (three file lines); one
    # extra line needs three, since the other two alone are too short to say where
    if n < 2 or n - 1 > len(fl.lines):
        return []
    bk = [x.strip() for x in w.before]
    fk = fl.keys("indent")
    total = len(fk)
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
        if w.count() > CAP:
            return _too_many(w.places(), _ONE_OFF)
        if runs is not None:
            a = min(runs[0][p], n)
        else:
            a = 0
            while a < n and p + a < total and fk[p + a] == bk[a]:
                a += 1
        # the file holds one line the model left out: window of n + 1 lines
        end = p + n + 1
        if (a < n or (eof and end == total)) and end <= total:
            for k in range(max(1, n - ends_with(end, n)), min(a, n - 1) + 1):
                w.left_out(p, k)
        # the model holds one context line the file lacks: window of n - 1 lines
        end = p + n - 1
        if n >= 3 and end <= total:
            for j in range(max(1, n - 1 - ends_with(end, n - 1)), min(a, n - 2) + 1):
                w.realign()
                if w.roles[j] == " ":
                    mapping = [p + i if i < j else (None if i == j else p + i - 1)
                               for i in range(n)]  # fmt: skip
                    w.settle(p, end, mapping, EXTRA)
    return w.result()


LEFT_OUT = "one context line missing from the hunk"
EXTRA = "one context line of the hunk is not in the file"

_ONE_OFF = (
    "one line differs between the hunk and the file, and the hunk then fits in more than "
    "one way ({n} readings, near line {shown}); refusing to guess"
)


def closest_region(file: Sequence[str], expected: Sequence[str]) -> Region | None:
    """The stretch of ``file`` most like ``expected``, for error messages.

    Bounded whatever the input: windows are ranked by how many of their lines occur in
    ``expected`` (one linear pass), and only the best dozen are scored by :func:`similarity`,
    which breaks ties between windows with as many lines in common.
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
    best: tuple[int, float, int] | None = None  # lines in common first, then similarity
    for s in order:
        ratio = similarity(target, [x.rstrip() for x in file[s : s + window]])
        if best is None or (sums[s], ratio) > (best[0], best[1] + 1e-12):
            best = (sums[s], ratio, s)
    assert best is not None
    _hits, ratio, s = best
    return Region(s + 1, s + window, round(ratio, 4), tuple(file[s : s + window]))


LINE_CHARS = 400
"""Characters of a line compared when two lines differ (the rest of a longer line is not)."""


SCOPE = 400
"""Most lines scanned above a place for the line that says where it is."""


def _chain(lines: Sequence[str], start: int) -> list[tuple[int, str]]:
    """The lines enclosing 0-based ``start``, innermost first: each the nearest line above
    indented less than the one before (its block, then its def, then its class)."""
    first = next((x for x in lines[start : start + 8] if x.strip()), "")
    width = _width(first)
    out: list[tuple[int, str]] = []
    for i in range(start - 1, max(-1, start - 1 - SCOPE), -1):
        x = lines[i]
        if x.strip() and _width(x) < width:
            out.append((i, x.strip()))
            width = _width(x)
            if not width:
                break
    return out


def places(lines: Sequence[str], starts: Sequence[int]) -> tuple[str, ...]:
    """For each 0-based start, the nearest enclosing line no other start shares (what tells
    the places apart: ```def _iterencode_dict(dct, ...):` (line 334)``), or
    empty. Bounded: ``SCOPE`` lines above each place."""
    chains = [_chain(lines, s) for s in starts]
    out: list[str] = []
    for k, chain in enumerate(chains):
        others = {t for j, c in enumerate(chains) if j != k for _i, t in c}
        found = next(((i, t) for i, t in chain if t not in others), None)
        if found is None:
            out.append("")
            continue
        i, text = found
        shown = text if len(text) <= 60 else text[:57] + "..."
        out.append(f"`{shown}` (line {i + 1})")
    return tuple(out)


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
    chars = set(x)
    if len(chars) <= _FEW_CHARS:  # the same sum as the Counters', by str.count: far faster
        shared = sum(min(x.count(c), y.count(c)) for c in chars)
    else:
        shared = sum((Counter(x) & Counter(y)).values())
    return 2.0 * shared / (len(x) + len(y))


_FEW_CHARS = 8
"""Most distinct characters of a line whose overlap is counted by ``str.count`` (each a pass
over both lines): braces and short lines, which a refused hunk of braces holds thousands of."""


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


@dataclass(frozen=True)
class Hint:
    """Where the answer says a hunk starts: the 1-based line of its ``@@ -N`` header, and
    the shift the file's previous hunk showed (where it was found minus where it said)."""

    stated: int
    shift: int = 0

    @property
    def line(self) -> int:
        """The 0-based line the hunk is expected to start at."""
        return self.stated - 1 + self.shift

    def words(self) -> str:
        if not self.shift:
            return f"its line number {self.stated}"
        return f"its line number {self.stated} ({self.line + 1} with the previous hunk's shift)"


NEAR = 0
"""Farthest a candidate may be from the stated line (after the shift) to be picked by it."""
CLEAR = 4
"""Nearest the next candidate may be to the stated line: a wrong line number within this
distance of two places could pick either (repeated lines, similar methods)."""
AGREE = 3
"""Most a line-number pick's shift may differ from the shift of a hunk of the same file that
was placed by its content alone (see :func:`hint_disagrees`)."""
FAR = 50
"""Largest shift (found minus stated line) a line-number pick may imply: numbers farther off
than that do not know the file's lines, and a hit among repeats is then chance."""
HINTED = "placed by its line number"
AFTER = "placed after the previous hunk"


def _lines(starts: Sequence[int]) -> str:
    """1-based line numbers, compactly: ``47, 67`` or ``3, 9, 12, ... (20 in all)``."""
    shown = ", ".join(str(x + 1) for x in starts[:6])
    return shown + (f", ... ({len(starts)} in all)" if len(starts) > 6 else "")


def _by_hint(found: Sequence[Located], hint: Hint | None) -> Located | None:
    """The candidate ``hint`` singles out, or None: the nearest to the stated line, when the
    next nearest is more than ``MARGIN`` times as far (two readings at one place: never)."""
    if hint is None or len(found) < 2:
        return None
    ranked = sorted(found, key=lambda c: (abs(c.start - hint.line), c.start))
    d1, d2 = (abs(c.start - hint.line) for c in ranked[:2])
    if d1 <= NEAR and d2 >= CLEAR:
        return ranked[0]
    return None


def hinted(found: Located) -> bool:
    """Whether ``found`` was chosen among equal candidates by its line number."""
    return any(t.startswith(HINTED) for t in found.tolerances)


def ordered(found: Located) -> bool:
    """Whether ``found`` was chosen among equal candidates by the hunks' order."""
    return any(t.startswith(AFTER) for t in found.tolerances)


@dataclass(frozen=True)
class Shift:
    """How far a hunk placed by its content alone was found from its stated line (found
    minus stated), and whether that line was 1, which may be a clamp: a model whose numbers
    are all ``d`` too low writes 1 for every hunk in the first ``d`` lines (it cannot write
    less), so such a hunk says only that the numbers' shift is at least its own."""

    shift: int
    floor: bool = False

    def refutes(self, pick_shift: int) -> bool:
        """Whether this hunk's place contradicts a pick implying ``pick_shift``."""
        if self.floor:
            return self.shift - pick_shift > AGREE
        return abs(pick_shift - self.shift) > AGREE


def hint_disagrees(
    pick_shift: int, shifts: Sequence[Shift], *, headers: bool = False, rival: bool = False
) -> bool:
    """Whether a line-number pick lacks support: the shift it implies (found minus stated
    line) must agree, within ``AGREE``, with that of every other hunk of the file placed by
    its content alone, and one of them must be at a stated line other than 1 (a hunk stated
    at line 1 only bounds the shift from below: see :class:`Shift`; a first hunk clamped to
    1 moved the next hunk's hint by a wrong shift, whose hit among repeats it then "bore
    out"). The pick's own hint was corrected by the previous such hunk, so agreeing with
    that one alone proves little; numbers that are off by the distance between two repeats
    pick the wrong one, and the other hunks show it. Where no such hunk is there, the
    ``headers`` (the file's ``@@`` headers agree as ``git diff`` writes them:
    ``apply._headers_agree``) stand in for one, for a pick at its stated line itself. A
    pick more than ``FAR`` lines from its stated line needs the numbers borne out beyond
    the one hunk that moved its hint: two hunks found at their stated lines moved by the
    same shift (one of them did not move the hint), or one and the ``headers``.

    A ``rival`` (the number as written, unshifted, is within ``CLEAR`` lines of another of
    the hunk's places) needs those two hunks whatever the shift: the number then reads two
    ways, the previous hunk's shift carrying over or that hunk's number alone being off
    (a model's copy of the file that differs between the two), and only another hunk tells
    which. Headers do not: a model writes ``+N`` from its own ``-N``, right or wrong."""
    if any(s.refutes(pick_shift) for s in shifts):
        return True
    fixed = sum(1 for s in shifts if not s.floor)
    if rival:
        return fixed < 2
    if not fixed:
        return not (headers and pick_shift == 0)
    if abs(pick_shift) <= FAR:
        return False
    return not (fixed >= 2 or headers)


def _others(found: Sequence[Located], chosen: Located) -> list[int]:
    return sorted({c.start for c in found if c.start != chosen.start})


def _with(found: Located, note: str) -> Located:
    return replace(found, tolerances=(*found.tolerances, note))


def _choose(
    fl: FileLines, hunk: Hunk, found: list[Located], lo: int, hint: Hint | None = None
) -> Located | Miss | None:
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
    picked = _by_hint(found, hint)
    if picked is not None and hint is not None:
        also = _lines(_others(found, picked))
        return _with(picked, f"{HINTED} {hint.words()[len('its line number ') :]} "
                             f"(the same lines are also at {also})")  # fmt: skip
    starts = tuple(sorted({c.start + 1 for c in found}))
    shown = _lines([x - 1 for x in starts])
    why = f", and {hint.words()} is not clearly nearer one of them" if hint else ""
    if all(c.level == "context" for c in found):
        detail = (
            f"one line differs between the hunk and the file, and the hunk then fits in more "
            f"than one way (near line {shown}){why}; refusing to guess"
        )
    elif len(starts) == 1 and any(DRIFT in c.tolerances for c in found):
        detail = (
            f"the hunk's place is line {starts[0]}, but its context lines are indented "
            "differently from the file and nothing is removed, so its added lines could keep "
            "their indentation or move with the context; refusing to guess"
        )
    else:
        detail = (
            f"the lines to replace occur {len(starts)} times (at lines {shown}){why}; "
            "refusing to guess which one is meant"
        )
    return Miss("ambiguous", detail, candidates=starts)


def _in_order(
    fl: FileLines,
    hunk: Hunk,
    after: list[Located],
    everywhere: list[Located] | Miss,
    lo: int,
    hint: Hint | None,
) -> Located | Miss | None:
    """Choose among the candidates after the previous hunk (``lo``), the format's order,
    and say so when the same lines are also before it. A line number that clearly points
    at one of those earlier places contradicts the order: refused, not guessed."""
    result = _choose(fl, hunk, after, lo, hint)
    if not isinstance(result, Located) or isinstance(everywhere, Miss):
        return result
    if hunk.at_eof:
        everywhere = [c for c in everywhere if c.end == len(fl.lines)]
    earlier = sorted({c.start for c in everywhere if c.start < lo})
    if not earlier:
        return result
    pointed = _by_hint(everywhere, hint)
    if pointed is not None and hint is not None and pointed.start < lo:
        detail = (
            f"{hint.words()} points at line {pointed.start + 1}, before the previous hunk, "
            f"but the hunks' order points at line {result.start + 1}; refusing to guess"
        )
        starts = tuple(sorted({pointed.start + 1, result.start + 1}))
        return Miss("ambiguous", detail, candidates=starts)
    return _with(result, f"{AFTER} (the same lines are also at "
                         f"{_lines(earlier)})")  # fmt: skip


def ops_first(ops: Ops) -> str:
    """The hunk's first line to find, stripped (the key every rung's candidates start at)."""
    return next(t for op, t in ops if op != "+").strip()


def _ladder(
    fl: FileLines, hunk: Hunk, ops: Ops, lo: int, hint: Hint | None = None
) -> Located | Miss | None:
    eof = hunk.at_eof
    rungs: list[Callable[[int], list[Located] | Miss]] = [
        lambda s: _contiguous(fl, ops, "exact", s, eof),
        lambda s: _contiguous(fl, ops, "whitespace", s, eof, hunk.diffed),
        lambda s: _contiguous(fl, ops, "indent", s, eof, hunk.diffed),
        lambda s: _one_line_off(fl, ops, s, hunk.diffed, eof),
    ]
    for level, rung in enumerate(rungs):
        if lo > 0:
            after = rung(lo)
            if isinstance(after, Miss):
                return after
            if hunk.at_eof:
                after = [c for c in after if c.end == len(fl.lines)]
            if after:
                first = fl.positions("indent", ops_first(ops))
                # every rung's candidates start at a line equal to the hunk's first once
                # stripped: with none before ``lo``, no earlier place to name or weigh
                everywhere = rung(0) if first and first[0] < lo else after
                result = _in_order(fl, hunk, after, everywhere, lo, hint)
                return _gainsaid(fl, hunk, result, hint) if level < 3 else result
        found = rung(0)
        if isinstance(found, Miss):
            return found
        result = _choose(fl, hunk, found, 0, hint)
        if result is not None:
            return _gainsaid(fl, hunk, result, hint) if level < 3 else result
    return None


def _gainsaid(
    fl: FileLines, hunk: Hunk, found: Located | Miss | None, hint: Hint | None
) -> Located | Miss | None:
    """``found`` (placed with no line left out), unless the hunk's line number points
    elsewhere and the hunk fits exactly there with one context line left out: two readings,
    an exact match at a wrong number or a dropped line at the right one (sindresorhus/got
    @cf56247f7a, test/https.js: ``t.is(body, 'ok'); });`` and a blank line matched the end of
    the test before the one meant, whose ``t.true(...)`` line the answer left out)."""
    if not isinstance(found, Located) or hint is None or hint.line < 0:
        return found
    if abs(found.start - hint.line) < CLEAR:
        return found
    other = _one_line_off(fl, hunk.lines, hint.line, hunk.diffed, hunk.at_eof, tiered=False)
    if isinstance(other, Miss) or not any(c.start == hint.line and LEFT_OUT in c.tolerances
                                          for c in other):  # fmt: skip
        return found
    detail = (f"the lines to replace are at line {found.start + 1}, but {hint.words()} points at "
              f"line {hint.line + 1}, where they also fit with one context line left out; "
              "refusing to guess")  # fmt: skip
    return Miss("ambiguous", detail, candidates=(found.start + 1, hint.line + 1))


def _split_elisions(ops: Ops) -> list[list[tuple[Op, str]]]:
    if ELISION not in "\n".join(map(itemgetter(1), ops)):  # one pass in C (500k lines)
        return [list(ops)]
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
        sub = Hunk(tuple(seg), diffed=hunk.diffed)
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


_OWN = {*TOLERATED.values(), DRIFT, LEFT_OUT, EXTRA}
"""Phrases that say what a rung tolerated (others say how a tie was broken)."""


def _noted(found: Located) -> Located:
    """``found`` with its rung's tolerance named, unless it already names what it tolerated."""
    if found.level not in TOLERATED or _OWN & set(found.tolerances):
        return found
    return replace(found, tolerances=(TOLERATED[found.level], *found.tolerances))


def locate(
    lines: FileLines | Sequence[str],
    hunk: Hunk,
    *,
    lo: int = 0,
    hint: Hint | None = None,
    closest: bool = True,
) -> Located | Miss:
    """Find where ``hunk`` goes in ``lines``; search from ``lo`` first (ordered formats),
    with ``hint`` (the hunk's stated line) to choose between equal candidates.

    A hunk placed by a tolerance says which in ``Located.tolerances``. A hunk that matches
    nowhere gets its closest region unless ``closest`` is false (a caller that refuses many
    hunks bounds how many it searches).
    """
    found = _locate(lines, hunk, lo, hint, closest)
    return _noted(found) if isinstance(found, Located) else found


def _locate(
    lines: FileLines | Sequence[str], hunk: Hunk, lo: int, hint: Hint | None, closest: bool
) -> Located | Miss:
    fl = lines if isinstance(lines, FileLines) else FileLines(lines)
    if not hunk.before:
        if hunk.at_eof:
            n = len(fl.lines)
            return Located(n, n, hunk.after, "exact")
        return Miss("no-context", "the hunk has no context or removed lines to locate it by")
    result = _ladder(fl, hunk, hunk.lines, lo, hint)
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
        closest_region(fl.lines, expected_lines(hunk)) if closest else None,
    )


def expected_lines(hunk: Hunk) -> list[str]:
    """The lines a refused hunk is compared with to find its closest region (no elisions)."""
    return [t for t in hunk.before if t.strip() != ELISION]
