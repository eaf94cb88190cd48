"""The rows a diff pane shows for one file, as plain values (no Textual, no I/O).

``unified_rows(file)`` turns a :class:`assistant.edits.FileReview` into rows: a header per
hunk, the hunk's lines with old and new line numbers, and notes: a failed hunk's closest
match, and under the header of a hunk placed by a tolerance what it tolerated (``~ trailing
whitespace ignored``, wrapped to fit the pane at 80 columns). Paired removed/added lines
carry the character spans that differ, found word by word with difflib, so the pane can
highlight words inside changed lines. ``split_rows`` pairs the
same rows for a side-by-side view. Hunk states are not baked in: the pane reads them when it
draws, so a decision repaints without rebuilding rows.

Every row's text is escaped for the terminal (:mod:`assistant.display`): hunks, notes and
file names come from the model or the repository, and the pane draws them as raw segments.
Escaping happens here, before word spans and syntax colours are computed, so both index the
text that is drawn.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest
from typing import Literal

from rich.cells import cell_len

from assistant.display import safe, safe_name
from assistant.edits import FileReview

RowKind = Literal["header", "context", "removed", "added", "note"]
Spans = tuple[tuple[int, int], ...]

TAB = 4
TOLERATED = "~"
"""Marks a hunk placed by a tolerance (as ``tome apply`` does in its summary)."""
NOTE_WIDTH = 46
"""Tolerance notes wrap here: the diff pane is about 54 columns wide in an 80-column terminal."""
_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_WORD = re.compile(r"\w+|\s+|[^\w\s]")
_WRAP = re.compile(r" +|[^ ([{,.;:]*[([{,.;:]+|[^ ]+")
"""What a wrap keeps together: a run of spaces, or a word up to the punctuation after it
(``isinstance(`` then ``converter,``): code has few spaces, so breaking only at them broke
identifiers; a break after an opening bracket, a comma or a dot reads as code does."""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the unified view."""

    kind: RowKind
    hunk: int
    """1-based hunk index this row belongs to (0: the file as a whole)."""
    text: str
    old_no: int | None = None
    new_no: int | None = None
    spans: Spans = ()
    """Character ranges of ``text`` that differ from the paired line (word-level)."""


@dataclass(frozen=True, slots=True)
class SplitRow:
    """One line of the side-by-side view: a full-width row, or a left/right pair."""

    hunk: int
    full: Row | None = None
    left: Row | None = None
    right: Row | None = None


WORDS = 40_000
"""Largest product of two lines' word counts compared word by word (difflib is quadratic
in it, and a model's line can be a megabyte long); longer pairs get no spans."""


def word_spans(old: str, new: str) -> tuple[Spans, Spans]:
    """The character ranges that differ between two lines, compared word by word.

    Lines with too little in common (ratio under 0.4) get no spans: highlighting almost every
    word tells the reader nothing the line colour does not.
    """
    a = _WORD.findall(old)
    b = _WORD.findall(new)
    if len(a) * len(b) > WORDS:
        return (), ()
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.ratio() < 0.4:
        return (), ()
    offs_a = _offsets(a)
    offs_b = _offsets(b)
    left: list[tuple[int, int]] = []
    right: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            left.append((offs_a[i1], offs_a[i2]))
        if j2 > j1:
            right.append((offs_b[j1], offs_b[j2]))
    return tuple(left), tuple(right)


def _offsets(tokens: Sequence[str]) -> list[int]:
    out = [0]
    for t in tokens:
        out.append(out[-1] + len(t))
    return out


def _expand(text: str) -> str:
    """One line as drawn: controls escaped, tabs expanded."""
    text = safe(text)
    return text.expandtabs(TAB) if "\t" in text else text


def _note_rows(hunk: int, text: str) -> Iterator[Row]:
    for line in text.splitlines():
        yield Row("note", hunk, _expand(line))


def tolerance_rows(hunk: int, phrases: Sequence[str]) -> Iterator[Row]:
    """``~ <phrase>`` per thing tolerated to place the hunk, wrapped; shown as they are."""
    for phrase in phrases:
        lines = textwrap.wrap(safe_name(phrase), NOTE_WIDTH - 2) or [""]
        for k, line in enumerate(lines):
            yield Row("note", hunk, (f"{TOLERATED} " if k == 0 else "  ") + line)


def _change_block(hunk: int, removed: list[Row], added: list[Row]) -> Iterator[Row]:
    """Removed rows then added rows, with word spans on the pairs."""
    spans: list[tuple[Spans, Spans]] = []
    for old, new in zip(removed, added, strict=False):
        spans.append(word_spans(old.text, new.text))
    for k, row in enumerate(removed):
        yield Row(row.kind, hunk, row.text, row.old_no, None, spans[k][0] if k < len(spans) else ())
    for k, row in enumerate(added):
        yield Row(row.kind, hunk, row.text, None, row.new_no, spans[k][1] if k < len(spans) else ())


def hunk_rows(file: FileReview, index: int, *, context: int = 3) -> list[Row]:
    """The header and lines of one hunk (or its failure and closest match)."""
    h = file.hunk(index)
    total = len(file.hunks)
    if h.failure is not None:
        rows = [Row("header", index, f"hunk {index} of {total}: cannot be applied")]
        rows.extend(_note_rows(index, h.failure.describe()))
        return rows
    text = file.hunk_diff(index, context=context)
    lines = text.splitlines()
    match = _HEADER.match(lines[0]) if lines else None
    old_no = int(match.group(1)) if match else 1
    new_no = int(match.group(3)) if match else 1
    rows = [Row("header", index, f"{lines[0] if lines else '@@'}  hunk {index} of {total}")]
    rows.extend(tolerance_rows(index, h.tolerated))
    removed: list[Row] = []
    added: list[Row] = []

    def flush() -> Iterator[Row]:
        yield from _change_block(index, removed, added)
        removed.clear()
        added.clear()

    for line in lines[1:]:
        sign, body = line[:1], _expand(line[1:])
        if sign == "-":
            if added:  # a new block after a + run: pair what we have first
                rows.extend(flush())
            removed.append(Row("removed", index, body, old_no))
            old_no += 1
        elif sign == "+":
            added.append(Row("added", index, body, None, new_no))
            new_no += 1
        else:
            rows.extend(flush())
            rows.append(Row("context", index, body, old_no, new_no))
            old_no += 1
            new_no += 1
    rows.extend(flush())
    return rows


def file_title(file: FileReview) -> str:
    """The file's name (and where it moves), for one line; escaped."""
    if file.move_to:
        return f"{safe_name(file.path)} → {safe_name(file.move_to)}"
    return safe_name(file.path)


def unified_rows(file: FileReview, *, context: int = 3) -> list[Row]:
    """Every row of one file's diff: file-level failure first, then each hunk."""
    rows: list[Row] = []
    if file.failure is not None:
        rows.append(Row("header", 0, f"{file_title(file)}: cannot be applied"))
        rows.extend(_note_rows(0, file.failure.describe()))
    elif not file.hunks:
        label = {"delete": "deleted", "create": "created (empty)"}.get(file.action, "no changes")
        rows.append(Row("header", 0, f"{file_title(file)}: {label}"))
    for h in file.hunks:
        rows.extend(hunk_rows(file, h.index, context=context))
    return rows


def split_rows(rows: Sequence[Row]) -> list[SplitRow]:
    """Pair unified rows for a side-by-side view: removed on the left, added on the right."""
    out: list[SplitRow] = []
    removed: list[Row] = []
    added: list[Row] = []

    def flush() -> None:
        for left, right in zip_longest(removed, added):
            first = left if left is not None else right
            assert first is not None
            out.append(SplitRow(first.hunk, left=left, right=right))
        removed.clear()
        added.clear()

    for row in rows:
        if row.kind == "removed":
            if added:
                flush()
            removed.append(row)
        elif row.kind == "added":
            added.append(row)
        else:
            flush()
            if row.kind == "context":
                out.append(SplitRow(row.hunk, left=row, right=row))
            else:
                out.append(SplitRow(row.hunk, full=row))
    flush()
    return out


def hunk_starts(hunks: Sequence[int]) -> list[int]:
    """Indices where each hunk's header row sits, given each row's hunk number."""
    starts: list[int] = []
    previous = -1
    for i, h in enumerate(hunks):
        if h != previous:
            starts.append(i)
            previous = h
    return starts


@lru_cache(maxsize=8192)
def wrap_cells(text: str, width: int) -> tuple[tuple[int, int], ...]:
    """The ``(start, end)`` cell ranges of ``text`` wrapped at ``width`` cells, at word
    boundaries (spaces, and after ``([{,.;:``: :data:`_WRAP`): a line breaks before a
    word that does not fit, and inside a word only when the word alone is wider than
    ``width``. The spaces at a break are dropped (they would
    only pad the row), but a line's leading indentation is kept. Always at least one range.
    """
    if width <= 0 or cell_len(text) <= width:
        return ((0, cell_len(text)),)
    lines: list[tuple[int, int]] = []
    start = at = 0  # cells: where the current display line starts, where the text is
    for token in _WRAP.findall(text):
        size = cell_len(token)
        if token[0] == " " and at > start:  # spaces after a word: they pad or they break
            if at + size - start > width:
                lines.append((start, at))
                start = at + size  # the next line starts at the next word
            at += size
            continue
        if at + size - start <= width:
            at += size
            continue
        if at > start and size <= width:  # the word goes whole onto the next line
            lines.append((start, at))
            start = at
        for ch in token:  # wider than a line (or the line is empty): cut where it fills
            w = cell_len(ch)
            if at + w - start > width and at > start:
                lines.append((start, at))
                start = at
            at += w
    if at > start or not lines:
        lines.append((start, at))
    return tuple(lines)


NOTE_INDENT = 4
"""Cells before a note's text in the pane."""


def wrap_notes(rows: list[Row], width: int) -> list[Row]:
    """``rows`` with every note wider than ``width`` cells wrapped at word boundaries
    (:func:`wrap_cells`), its later lines indented two past its own indentation; ``rows``
    itself when no note needs it (or ``width`` is not known yet)."""
    if width <= 0 or not any(r.kind == "note" and cell_len(r.text) > width for r in rows):
        return rows
    out: list[Row] = []
    for row in rows:
        if row.kind != "note" or cell_len(row.text) <= width:
            out.append(row)
            continue
        body = row.text.lstrip(" ")
        indent = min(len(row.text) - len(body), width // 2)
        lead = " " * min(indent + 2, width // 2)
        first = True
        while body:
            room = width - (indent if first else len(lead))
            end = wrap_cells(body, room)[0][1]
            piece, body = _cells(body, end), _cells_from(body, end).lstrip(" ")
            out.append(Row("note", row.hunk, (" " * indent if first else lead) + piece.rstrip()))
            first = False
    return out


def _cells(text: str, end: int) -> str:
    """The first ``end`` cells of ``text``."""
    at = 0
    for i, ch in enumerate(text):
        at += cell_len(ch)
        if at > end:
            return text[:i]
    return text


def _cells_from(text: str, start: int) -> str:
    """``text`` after its first ``start`` cells."""
    return text[len(_cells(text, start)) :]
