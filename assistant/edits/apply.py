"""Apply parsed edits to file texts: plan every hunk, then splice. Pure: no I/O.

Text rules, so that an edit never changes more than it means to:

- Line endings are kept per line: lines the edit does not touch keep theirs; new lines take
  the file's dominant ending (CRLF stays CRLF; a mixed file keeps every untouched line's).
  A new file is written with the endings the answer gave its lines (CRLF stays CRLF).
- A file's final newline, or its lack, is kept unless the edit says otherwise with the
  marker: a hunk at the end of the file carrying ``\\ No newline at end of file`` (on either
  side) gives the file the final newline of its new side, as ``git apply`` does.
- A leading BOM (``\\ufeff``) is set aside while matching and put back.
- Whole-file blocks are turned into hunks by diffing against the file, so they are
  reviewed like any other edit; one that elides code (``# ... rest unchanged``) is refused.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .diff import LineMatcher, opcodes
from .failures import EditParseError, HunkFailure, HunkMatchError, ParseProblem, check_path
from .hunks import FileEdit, Hunk, Op
from .match import (
    AFTER,
    CLEAR,
    HINTED,
    FileLines,
    Hint,
    Located,
    Miss,
    Shift,
    closest_region,
    expected_lines,
    hint_disagrees,
    hinted,
    locate,
    ordered,
    places,
)
from .parse import loose_path, parse_edits

BOM = "\ufeff"

FileAction = Literal["update", "create", "delete"]

_ELIDED_CODE = re.compile(
    r"^\s*(#|//|/\*|<!--|--|;|%)?\s*(\.\.\.|…)?\s*\(?\s*"
    r"(rest of|remainder of|existing|unchanged|same as before|other (methods|code)|previous)"
    r".*(\.\.\.|…|unchanged|here|code|omitted)",
    re.IGNORECASE,
)


# -- text with its line endings --------------------------------------------------------


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """Split on ``\\n`` only: line contents and their endings (``\\n``, ``\\r\\n`` or ``""``)."""
    if not text:
        return [], []
    parts = text.split("\n")
    last = parts.pop()
    contents: list[str] = []
    endings: list[str] = []
    for part in parts:
        if part.endswith("\r"):
            contents.append(part[:-1])
            endings.append("\r\n")
        else:
            contents.append(part)
            endings.append("\n")
    if last:
        contents.append(last)
        endings.append("")
    return contents, endings


def dominant_eol(endings: Sequence[str]) -> str:
    crlf = sum(1 for e in endings if e == "\r\n")
    lf = sum(1 for e in endings if e == "\n")
    return "\r\n" if crlf > lf else "\n"


@dataclass(frozen=True)
class Text:
    """A file's text taken apart for editing, and put back together the same way."""

    lines: tuple[str, ...]
    endings: tuple[str, ...]
    eol: str
    final_newline: bool
    bom: bool

    @classmethod
    def of(cls, text: str) -> Text:
        bom = text.startswith(BOM)
        body = text[1:] if bom else text
        contents, endings = split_lines(body)
        final = not body or body.endswith("\n")
        return cls(tuple(contents), tuple(endings), dominant_eol(endings), final, bom)

    def splice(self, located: Iterable[Located], *, final_newline: bool | None = None) -> str:
        """The text with each located hunk's region replaced (regions must not overlap).

        ``final_newline`` overrides the file's own (an edit's no-newline marker decided it).
        """
        out_c: list[str] = []
        out_e: list[str] = []
        cursor = 0
        for loc in sorted(located, key=lambda x: (x.start, x.end)):
            out_c.extend(self.lines[cursor : loc.start])
            out_e.extend(self.endings[cursor : loc.start])
            old = self.lines[loc.start : loc.end]
            old_e = self.endings[loc.start : loc.end]
            if old_e.count(self.eol) == len(old_e):  # every line ends as the file does:
                out_c.extend(loc.lines)  # so does each written one, whatever the diff
                out_e.extend([self.eol] * len(loc.lines))
                cursor = loc.end
                continue
            for tag, i1, i2, j1, j2 in opcodes(old, loc.lines):
                out_c.extend(loc.lines[j1:j2])
                if tag == "equal":
                    out_e.extend(old_e[i1:i2])
                else:
                    out_e.extend([self.eol] * (j2 - j1))
            cursor = loc.end
        out_c.extend(self.lines[cursor:])
        out_e.extend(self.endings[cursor:])
        return self.join(out_c, out_e, final_newline=final_newline)

    def join(
        self, contents: Sequence[str], endings: Sequence[str], *, final_newline: bool | None = None
    ) -> str:
        if not contents:
            return BOM if self.bom else ""
        final = self.final_newline if final_newline is None else final_newline
        ends = [e or self.eol for e in endings]
        ends[-1] = (endings[-1] or self.eol) if final else ""
        body = "".join(c + e for c, e in zip(contents, ends, strict=True))
        return (BOM if self.bom else "") + body


# -- planning ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedHunk:
    """One hunk of a file's plan: located (ready to splice) or failed, never both."""

    index: int
    hunk: Hunk
    located: Located | None
    failure: HunkFailure | None

    @property
    def ok(self) -> bool:
        return self.located is not None


@dataclass(frozen=True)
class FilePlan:
    """Everything the edits do to one file, located against its current text."""

    path: str
    action: FileAction
    original: str | None
    hunks: tuple[PlannedHunk, ...]
    move_to: str | None = None
    failure: HunkFailure | None = None
    """A failure of the file as a whole (missing, already there, mixed edits)."""
    endings: tuple[str, ...] = ()
    """A created file's line endings as the answer gave them (``\\r\\n`` kept; the last one
    empty when it has no final newline); empty: ``\\n`` and a final newline."""

    @property
    def failures(self) -> list[HunkFailure]:
        found = [h.failure for h in self.hunks if h.failure is not None]
        return ([self.failure] if self.failure else []) + found

    def result(self, accepted: Iterable[int] | None = None) -> str | None:
        """The new text from the located hunks (all, or only those indexed in ``accepted``).

        None when the file is deleted.
        """
        if self.action == "delete":
            return None
        chosen = set(range(1, len(self.hunks) + 1) if accepted is None else accepted)
        taken = [h for h in self.hunks if h.index in chosen and h.located]
        located = [h.located for h in taken if h.located]
        if self.action == "create" and self.original is None:
            lines = [line for loc in located for line in loc.lines]
            endings = self.endings if len(self.endings) == len(lines) else ("\n",) * len(lines)
            return "".join(c + e for c, e in zip(lines, endings, strict=True))
        base = Text.of(self.original or "")
        return base.splice(located, final_newline=_final_newline(base, taken))

    def texts(self, accepted: Iterable[int] | None = None) -> dict[str, str | None]:
        """New text per path from the located hunks (all, or those in ``accepted``): the one
        place a rename becomes two paths (the old one None, the new one its text); a file
        left as it was is left out. None: deleted."""
        text = self.result(accepted)
        if self.move_to and self.move_to != self.path:
            return {self.path: None, self.move_to: text}
        return {} if text == self.original else {self.path: text}


def _final_newline(base: Text, taken: Iterable[PlannedHunk]) -> bool | None:
    """The final newline a hunk at the end of the file says the new text has, by its
    no-newline marker; None when no such hunk says anything (the file's own is kept)."""
    for planned in taken:
        hunk, loc = planned.hunk, planned.located
        marked = hunk.old_no_newline or hunk.new_no_newline
        if marked and loc is not None and loc.end == len(base.lines):
            return not hunk.new_no_newline
    return None


def _failure(
    path: str, index: int, total: int, miss: Miss, hunk: Hunk, lines: Sequence[str] = ()
) -> HunkFailure:
    shown = miss.candidates[:8] if len(miss.candidates) > 1 else ()
    named = places(lines, [c - 1 for c in shown if 0 < c <= len(lines)])
    return HunkFailure(path, index, total, miss.kind, miss.detail, hunk.before, miss.closest,
                       miss.candidates, named)  # fmt: skip


def _whole_file_hunks(old: Sequence[str], new: Sequence[str]) -> list[tuple[Hunk, Located]]:
    out: list[tuple[Hunk, Located]] = []
    sm = LineMatcher(old, new)
    for group in sm.get_grouped_opcodes(3):
        ops: list[tuple[Op, str]] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                ops.extend((" ", x) for x in old[i1:i2])
            else:
                ops.extend(("-", x) for x in old[i1:i2])
                ops.extend(("+", x) for x in new[j1:j2])
        start, end = group[0][1], group[-1][2]
        lines = tuple(new[group[0][3] : group[-1][4]])
        out.append((Hunk(tuple(ops), start + 1), Located(start, end, lines, "exact")))
    return out


def _file_failure(path: str, kind: str, detail: str) -> HunkFailure:
    return HunkFailure(path, 0, 0, kind, detail)  # type: ignore[arg-type]


class Searches:
    """How many refused hunks of one answer still get the costly part of their report (the
    closest region, the enclosing lines of each equal place): each costs a pass over the
    file, and an answer of a megabyte can hold a thousand hunks that match nothing (1,226
    refused hunks on one 2,700-line file took 3.5 s, nine tenths of it in those reports).
    The first ``LIMIT`` are searched; the rest say they were not."""

    LIMIT = 32

    def __init__(self) -> None:
        self.left = self.LIMIT

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


_NOT_SEARCHED = f"; its closest region was not searched (more than {Searches.LIMIT} hunks failed)"


def plan_file(
    path: str, original: str | None, edits: Sequence[FileEdit], searches: Searches | None = None
) -> FilePlan:
    """Locate every hunk of ``edits`` (all for ``path``, in answer order) in ``original``.

    ``original`` is None when the file does not exist. ``searches`` bounds the refusal
    reports across the files of one answer (see :class:`Searches`).
    """
    actions = {e.action for e in edits}
    move_to = next((e.move_to for e in reversed(edits) if e.move_to), None)
    if len(actions) > 1 and not actions <= {"update"}:
        names = ", ".join(sorted(actions))
        return FilePlan(path, "update", original, (), move_to,
                        _file_failure(path, "mixed", f"the answer both {names}s this file"))  # fmt: skip
    action = edits[0].action
    if action == "delete":
        return _plan_delete(path, original)
    if action == "create" or (action == "replace" and original is None):
        return _plan_create(path, original, edits, move_to)
    if action == "replace":
        return _plan_replace(path, original, edits, move_to)
    return _plan_update(path, original, edits, move_to, searches or Searches())


def _plan_delete(path: str, original: str | None) -> FilePlan:
    if original is None:
        return FilePlan(path, "delete", None, (), None,
                        _file_failure(path, "missing-file", "cannot delete: no such file"))  # fmt: skip
    lines = Text.of(original).lines
    hunk = Hunk(tuple(("-", x) for x in lines), 1)
    return FilePlan(path, "delete", original,
                    (PlannedHunk(1, hunk, Located(0, len(lines), (), "exact"), None),))  # fmt: skip


def _plan_create(
    path: str, original: str | None, edits: Sequence[FileEdit], move_to: str | None
) -> FilePlan:
    if len(edits) > 1:
        return FilePlan(path, "create", original, (), move_to,
                        _file_failure(path, "mixed", "the answer creates this file twice"))  # fmt: skip
    if original:
        return FilePlan(path, "create", original, (), move_to,
                        _file_failure(path, "exists", "cannot create: the file exists"))  # fmt: skip
    contents, endings = split_lines(edits[0].content or "")
    lines = tuple(contents)
    hunk = Hunk(tuple(("+", x) for x in lines), 0)
    planned = PlannedHunk(1, hunk, Located(0, 0, lines, "exact"), None)
    return FilePlan(path, "create", original, (planned,), move_to, endings=tuple(endings))


def _plan_replace(
    path: str, original: str | None, edits: Sequence[FileEdit], move_to: str | None
) -> FilePlan:
    """A whole-file block for an existing file, as the hunks that turn one into the other."""
    if len(edits) > 1:
        return FilePlan(path, "update", original, (), move_to,
                        _file_failure(path, "mixed", "the answer rewrites this file twice"))  # fmt: skip
    assert original is not None
    base = Text.of(original)
    new_lines = split_lines(edits[0].content or "")[0]
    known = {x.strip() for x in base.lines}
    for n, line in enumerate(new_lines, 1):
        if line.strip() not in known and _ELIDED_CODE.match(line):
            detail = (f"the whole-file block leaves code out (line {n}: {line.strip()!r}); "
                      "send the complete file or a SEARCH/REPLACE edit")  # fmt: skip
            return FilePlan(path, "update", original, (), move_to,
                            _file_failure(path, "elided", detail))  # fmt: skip
    pairs = _whole_file_hunks(base.lines, new_lines)
    planned_hunks = tuple(PlannedHunk(i, h, loc, None) for i, (h, loc) in enumerate(pairs, 1))
    return FilePlan(path, "update", original, planned_hunks, move_to)


def _plan_new_from_hunks(
    path: str, hunks: Sequence[tuple[FileEdit, Hunk]], move_to: str | None
) -> FilePlan:
    """Hunks for a file that does not exist: a new file when they only add lines."""
    if hunks and all(not h.before for _, h in hunks):
        lines = tuple(x for _, h in hunks for x in h.after)
        planned = PlannedHunk(1, hunks[0][1], Located(0, 0, lines, "exact"), None)
        ends = ["\n"] * len(lines)
        if ends and hunks[-1][1].new_no_newline:
            ends[-1] = ""
        return FilePlan(path, "create", None, (planned,), move_to, endings=tuple(ends))
    return FilePlan(path, "update", None, (), move_to,
                    _file_failure(path, "missing-file", "no such file to edit"))  # fmt: skip


def _plan_update(
    path: str,
    original: str | None,
    edits: Sequence[FileEdit],
    move_to: str | None,
    searches: Searches,
) -> FilePlan:
    """Locate each hunk in order: after the previous one's match first, hints checked last."""
    hunks = [(e, h) for e in edits for h in e.hunks]
    total = len(hunks)
    if original is None:
        return _plan_new_from_hunks(path, hunks, move_to)
    fl = FileLines(Text.of(original).lines)
    out: list[PlannedHunk] = []
    taken = _Taken()
    lo = 0
    shift = 0
    current: FileEdit | None = None
    for i, (edit, hunk) in enumerate(hunks, 1):
        if edit is not current:
            if not _continues(current, edit):
                lo = 0
            current = edit
        result: Located | Miss
        hint = Hint(hunk.old_start, shift) if hunk.old_start else None
        if (unusable := _unusable(hunk)) is not None:
            result = unusable
        elif not hunk.before and (not fl.lines or edit.syntax == "search-replace"):
            result = Located(len(fl.lines), len(fl.lines), hunk.after, "exact")
        else:
            result = locate(fl, hunk, lo=lo, hint=hint, closest=False)
        if isinstance(result, Located):
            clash = taken.clash(result.start, result.end)
            if clash is not None:
                result = _overlap(fl, hunk, result, clash)
        if isinstance(result, Miss):
            result = _reported(fl, hunk, result, searches)
            failure = _failure(path, i, total, result, hunk, fl.lines if result.searched else ())
            out.append(PlannedHunk(i, hunk, None, failure))
            continue
        taken.add(result.start, result.end, i)
        lo = result.end
        if hunk.old_start and hunk.before and not hinted(result):
            shift = result.start - (hunk.old_start - 1)
        out.append(PlannedHunk(i, hunk, result, None))
    checked = _as_stated(_checked_hints(path, out, fl, searches))
    return FilePlan(path, "update", original, tuple(checked), move_to)


def _reported(fl: FileLines, hunk: Hunk, miss: Miss, searches: Searches) -> Miss:
    """``miss`` with its closest region (when it matched nowhere), within ``searches``."""
    if not searches.take():
        detail = miss.detail + (_NOT_SEARCHED if miss.kind == "no-match" else "")
        return Miss(miss.kind, detail, None, miss.candidates, searched=False)
    if miss.kind in ("no-match", "overlap") and miss.closest is None:
        return replace(miss, closest=closest_region(fl.lines, expected_lines(hunk)))
    return miss


def _checked_hints(
    path: str, planned: list[PlannedHunk], fl: FileLines, searches: Searches
) -> list[PlannedHunk]:
    """Keep a hunk its line number picked only when the file's other line numbers bear it
    out: every hunk placed by its content alone was found as far from its stated line as
    this one, a hunk stated at line 1 only bounding how far (see ``match.hint_disagrees``).
    Otherwise it is refused."""
    own = [(h.index, Shift(h.located.start - (h.hunk.old_start - 1), h.hunk.old_start == 1))
           for h in planned
           if h.located and h.hunk.old_start and h.hunk.before and not hinted(h.located)
           and not ordered(h.located)]  # fmt: skip
    agree = _headers_agree(planned)
    out: list[PlannedHunk] = []
    for h in planned:
        loc = h.located
        if loc is None or not hinted(loc) or not h.hunk.old_start:
            out.append(h)
            continue
        shift = loc.start - (h.hunk.old_start - 1)
        against = [x for x in own if x[0] != h.index]
        starts = _candidates_of(locate(fl, h.hunk, closest=False))
        rival = next((c for c in starts if c != loc.start + 1
                      and abs(c - h.hunk.old_start) < CLEAR), None) if shift else None  # fmt: skip
        shifts = [s for _i, s in against]
        if not hint_disagrees(shift, shifts, headers=agree, rival=rival is not None):
            out.append(h)
            continue
        fixed = [x for x in against if not x[1].floor]
        if any(x[1].refutes(shift) for x in against):
            i, other = next((i, x.shift) for i, x in against if x.refutes(shift))
            why = (f"hunk {i} was found {other:+d} lines from its own stated line, which "
                   f"points at line {h.hunk.old_start + other}")  # fmt: skip
        elif rival is not None:
            why = (f"as written it is near line {rival}, where the same lines also are, and no "
                   "other hunk says which")  # fmt: skip
        elif fixed:
            why = f"that is {shift:+d} lines from it, too far to trust"
        elif against:
            why = ("the other hunks placed by their lines alone state line 1, which bounds the "
                   "numbers' shift but does not bear one out")  # fmt: skip
        else:
            why = "no other hunk of the file, placed by its lines alone, bears the numbers out"
        detail = (f"its lines occur more than once; its line number {h.hunk.old_start} points "
                  f"at line {loc.start + 1}, but {why}; refusing to guess")  # fmt: skip
        miss = _reported(fl, h.hunk, Miss("ambiguous", detail, None, tuple(starts)), searches)
        failure = _failure(path, h.index, len(planned), miss, h.hunk,
                           fl.lines if miss.searched else ())  # fmt: skip
        out.append(PlannedHunk(h.index, h.hunk, None, failure))
    return out


def _as_stated(planned: list[PlannedHunk]) -> list[PlannedHunk]:
    """Drop the choice notes (``placed by its line number``, ``placed after the previous
    hunk``) when the file's hunks are placed exactly as the diff says: every located hunk
    matched exactly at its stated line, and the ``@@`` headers agree as ``git diff`` writes
    them. That is an exact patch, made from this very text (a release diff, ``git diff``
    itself), placed where ``git apply`` places it: its hunks' lines repeating elsewhere in
    the file is no tolerance (attrs 25.1.0..26.1.0 had 9 such hunks reported as tolerated).
    A hunk found away from its number keeps the notes of every hunk: the numbers are off."""
    located = [h for h in planned if h.located]
    if not any(h.located and _chose(h.located) for h in located):
        return planned
    if not all(h.located and h.located.level == "exact" and _at_stated(h.hunk, h.located)
               for h in located):  # fmt: skip
        return planned
    if not _headers_agree(planned):
        return planned
    return [replace(h, located=_unchosen(h.located)) if h.located else h for h in planned]


def _at_stated(hunk: Hunk, found: Located) -> bool:
    """Whether ``found`` is where ``@@ -N`` puts it (a hunk removing nothing goes after
    line N, ``git diff -U0``'s ``-5,0``)."""
    if hunk.old_start is None:
        return False
    return found.start == (hunk.old_start - 1 if hunk.before else hunk.old_start)


def _chose(found: Located) -> bool:
    return hinted(found) or ordered(found)


def _unchosen(found: Located) -> Located:
    kept = tuple(t for t in found.tolerances if not t.startswith((HINTED, AFTER)))
    return replace(found, tolerances=kept)


def _headers_agree(planned: Sequence[PlannedHunk]) -> bool:
    """Whether every ``@@ -a,b +c,d`` header of the file is what ``git diff`` writes: its
    counts are its lines, and each ``+c`` is ``-a`` moved by the lines the hunks before it
    add or remove. A model that miscounts where a hunk starts (shifts ``-a``) rarely keeps
    ``+c`` in step, so with no hunk placed by its lines alone to bear a line number out,
    headers that agree with each other this way are the evidence instead (a single-hunk
    diff of repeated lines with a right number is placed, as ``git apply`` places it)."""
    moved = 0
    for p in planned:
        h = p.hunk
        if h.counts is None or h.new_start is None or h.old_start is None:
            return False
        old, new = h.counts
        if (old, new) != (len(h.before), len(h.after)):
            return False
        if h.new_start != h.old_start + moved:
            return False
        moved += new - old
    return True


def _continues(previous: FileEdit | None, edit: FileEdit) -> bool:
    """Whether ``edit`` carries on where ``previous`` (of the same file) left off, so its
    first hunk is searched after the previous one's match first.

    The hunks of one diff or patch are in file order; so are the SEARCH/REPLACE blocks of
    a file, which come one block per edit. A new diff of the same file starts over.
    """
    if previous is None:
        return False
    return previous.syntax == edit.syntax == "search-replace"


def _overlap(fl: FileLines, hunk: Hunk, found: Located, clash: int) -> Miss:
    """The refusal of a hunk whose place overlaps an earlier hunk's, naming the other
    places its lines match (if any), so the model can tell them apart."""
    detail = f"overlaps hunk {clash} (lines {found.start + 1}-{found.end})"
    everywhere = locate(fl, hunk, closest=False)
    others = [c for c in _candidates_of(everywhere) if c != found.start + 1]
    if others:
        shown = ", ".join(str(x) for x in others[:6]) + (" ..." if len(others) > 6 else "")
        detail += f"; its lines also match at line {shown}"
    starts = tuple(sorted({found.start + 1, *others})) if others else ()
    return Miss("overlap", detail, None, starts)


def _candidates_of(found: Located | Miss) -> list[int]:
    if isinstance(found, Miss):
        return list(found.candidates)
    return [found.start + 1]


def _unusable(hunk: Hunk) -> Miss | None:
    """Why a hunk fails before any search: the parser could not tell where it ends, or it
    changes nothing (only context lines, or it adds back the very lines it removes and the
    final newline is not what changes: the model meant a change it did not write)."""
    if hunk.problem:
        return Miss("malformed", hunk.problem)
    if hunk.before == hunk.after and hunk.old_no_newline == hunk.new_no_newline:
        what = "removes and adds the same lines" if hunk.added else "has only context lines"
        return Miss("no-change", f"the hunk {what}, so it changes nothing; mark the lines to "
                                 "remove with - and the new lines with +")  # fmt: skip
    return None


class _Taken:
    """The regions located hunks replace (never overlapping), searchable in log time, so an
    answer of 50,000 hunks on one file is not 50,000 squared checks.

    Two regions overlap when they share a line; an insertion point (an empty region)
    overlaps a region it falls strictly inside.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []  # regions with lines, by start (so also by end)
        self.spans: list[tuple[int, int]] = []  # (end, hunk) of each
        self.points: list[tuple[int, int]] = []  # insertion points: (line, hunk)

    def clash(self, start: int, end: int) -> int | None:
        """The first hunk (lowest index) whose region overlaps ``[start, end)``."""
        found: list[int] = []
        k = bisect.bisect_right(self.starts, start) - 1  # the last region starting at or before
        if start == end:
            if k >= 0 and self.starts[k] < start < self.spans[k][0]:
                found.append(self.spans[k][1])
            return min(found, default=None)
        if k >= 0 and self.spans[k][0] > start:
            found.append(self.spans[k][1])
        k += 1
        while k < len(self.starts) and self.starts[k] < end:
            found.append(self.spans[k][1])
            break  # regions do not overlap: the first one found inside is the only one
        p = bisect.bisect_right(self.points, (start, 1 << 62))
        while p < len(self.points) and self.points[p][0] < end:
            found.append(self.points[p][1])
            p += 1
            if len(found) > 2:
                break
        return min(found, default=None)

    def add(self, start: int, end: int, hunk: int) -> None:
        if start == end:
            bisect.insort(self.points, (start, hunk))
            return
        k = bisect.bisect_left(self.starts, start)
        self.starts.insert(k, start)
        self.spans.insert(k, (end, hunk))


def plan_edits(files: Mapping[str, str], edits: Sequence[FileEdit]) -> list[FilePlan]:
    """One plan per edited path, in the order paths first appear in the answer.

    Paths are normalised and confined (``PathRefused`` for absolute, ``..``, ``.git/``).
    """
    by_path: dict[str, list[FileEdit]] = {}
    searches = Searches()
    unresolved: dict[str, HunkFailure] = {}
    confined_as: dict[str, str] = {}  # 20,000 blocks of one file check its path once

    def confined(name: str) -> str:
        if name not in confined_as:
            confined_as[name] = check_path(name)
        return confined_as[name]

    for edit in edits:
        path = confined(edit.path)
        move = confined(edit.move_to) if edit.move_to else None
        other = confined(edit.other_path) if edit.other_path else None
        if other is not None:
            path, failure = _pick_side(files, path, other)
            other = None
            if failure is not None:
                unresolved.setdefault(path, failure)
        loose = edit.syntax in ("whole", "search-replace") and loose_path(path)
        if loose and path not in files:
            unresolved.setdefault(path, _loose_failure(path, edit.line))
        if path != edit.path or move != edit.move_to or other != edit.other_path:
            edit = FileEdit(path, edit.action, edit.syntax, edit.hunks, edit.content, move,
                            edit.line)  # fmt: skip
        by_path.setdefault(path, []).append(edit)
    plans = [
        FilePlan(path, "update", files.get(path), (), None, unresolved[path])
        if path in unresolved
        else plan_file(path, files.get(path), group, searches)
        for path, group in by_path.items()
    ]
    targets = {p.path for p in plans if p.action != "delete" and not p.move_to}
    checked: list[FilePlan] = []
    for plan in plans:
        if (
            plan.move_to
            and plan.failure is None
            and (plan.move_to in files or plan.move_to in targets)
        ):
            failure = _file_failure(
                plan.path, "exists", f"cannot rename to {plan.move_to}: it exists"
            )
            plan = FilePlan(
                plan.path, plan.action, plan.original, plan.hunks, plan.move_to, failure
            )
        checked.append(plan)
    return checked


def _loose_failure(path: str, line: int) -> HunkFailure:
    """A whole file or SEARCH/REPLACE block under a backticked name with a space or bracket
    that no file has: such a name is as likely a command or code (```python manage.py```) as
    a file to create, so it is refused rather than written (see ``parse.path_from_line``)."""
    detail = (f"line {line} names {path!r}, which is no file in the repository; a name with "
              "spaces or brackets is read as a path only for a file that exists. To create "
              "it, send it as a diff from /dev/null")  # fmt: skip
    return _file_failure(path, "missing-file", detail)


def _pick_side(files: Mapping[str, str], old: str, new: str) -> tuple[str, HunkFailure | None]:
    """The file a diff edits when its ``---`` and ``+++`` headers name different files and
    nothing says it is a rename: the one that exists, as ``patch`` picks (both alike: the
    ``---`` one). Neither, or both with different texts: a failure naming both."""
    if old in files and new in files and files[old] != files[new]:
        detail = (f"the diff's headers name two files, {old} (---) and {new} (+++), and both "
                  "exist with different text: cannot tell which one to edit; name one file in "
                  "both headers (or add 'rename from'/'rename to' lines for a rename)")  # fmt: skip
        return old, _file_failure(old, "two-files", detail)
    if old in files:
        return old, None
    if new in files:
        return new, None
    detail = (f"the diff's headers name two files, {old} (---) and {new} (+++), and neither "
              "exists; name the file to edit in both headers (or use /dev/null for a new "
              "file)")  # fmt: skip
    return old, _file_failure(old, "two-files", detail)


def results(plans: Iterable[FilePlan]) -> dict[str, str | None]:
    """New text per changed path (None: deleted), from every located hunk of ``plans``."""
    out: dict[str, str | None] = {}
    for plan in plans:
        out.update(plan.texts())
    return out


def apply_edits(files: Mapping[str, str], edit_text: str) -> dict[str, str | None]:
    """Apply every edit in ``edit_text`` to ``files`` ({path: text}); pure.

    Returns the new text of each changed path, None for a deleted one (a rename is the old
    path None and the new path's text). Raises ``EditParseError`` when the text cannot be
    read, ``PathRefused`` for a path outside the repository, and ``HunkMatchError`` listing
    every hunk that failed (all failures are collected first; nothing is half-applied).
    """
    edits = parse_edits(edit_text)
    if not edits:
        raise EditParseError([ParseProblem(0, "no edit found in the text")])
    plans = plan_edits(files, edits)
    failures = [f for plan in plans for f in plan.failures]
    if failures:
        raise HunkMatchError(failures)
    return results(plans)
