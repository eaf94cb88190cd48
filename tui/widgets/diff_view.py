"""The diff pane: one file's hunks on Textual's Line API, unified or side by side.

Only the visible lines are drawn (``render_line``), so a 5,000-line diff costs what 40 lines
cost. Rows come from :mod:`tui.diffrows` (pure values); each row's highlighted body (syntax
colours, the diff's background, word-level spans) is built once and cached, and cropped to the
scroll position when drawn. Colours come from the theme through component classes.

The rows and bodies of the last few files shown are kept, and ``prepare``/``warm`` build them
ahead (the screen calls them once a move has been painted, for the files and lines a next
move would show), so that a key press mostly draws what is already built.

The pane keeps a line cursor and, through it, a hunk cursor: the hunk under the cursor is
marked in the gutter and its header lights up. A hunk placed by a tolerance has a ``~``
before its state at the right of its header (never cut off, whatever the width), and the
notes under the header say what was tolerated. ``next_hunk``/``prev_hunk`` say False at the
file's edge so the screen can move to the next file.

Side by side, each half gets half of the pane's width, whatever the pane's width, and a
line longer than its half wraps onto the rows below at word boundaries (a word is broken
only when it alone is wider than the half; both halves of a pair stay level), so
nothing is cut off: a half of a 160-column terminal shows 70 columns of code, not 40, and
no line needs a horizontal scroll. The unified view keeps one row per line and scrolls.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from assistant.edits import FilePlan, FileReview, HunkState

from ..diffrows import (
    NOTE_INDENT,
    TOLERATED,
    Row,
    SplitRow,
    hunk_starts,
    split_rows,
    unified_rows,
    wrap_cells,
    wrap_notes,
)
from ..diffsearch import spans as search_spans
from ..highlight import highlight_line, lexer_for, lexer_ready

SIGNS = {"added": "+", "removed": "-", "context": " "}
STATE_LABEL = {
    HunkState.PENDING: "pending",
    HunkState.ACCEPTED: "✓ accepted",
    HunkState.REJECTED: "✗ rejected",
    HunkState.APPLIED: "● applied",
    HunkState.FAILED: "! failed",
    HunkState.CONFLICT: "! conflict",
}


def paint(
    text: str,
    base: Style,
    syntax: Sequence[tuple[int, int, Style]],
    words: Sequence[tuple[int, int]],
    word: Style,
) -> list[Segment]:
    """Segments of ``text``: ``base``, then syntax colours, then ``word`` over word spans."""
    if not syntax and not words:
        return [Segment(text, base)] if text else []
    cuts = {0, len(text)}
    for start, end, _ in syntax:
        cuts.update((start, end))
    for start, end in words:
        cuts.update((start, end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    colour: list[Style | None] = [None] * len(text)
    for start, end, style in syntax:
        colour[start:end] = [style] * (end - start)
    marked = bytearray(len(text))
    for start, end in words:
        marked[start:end] = b"\x01" * (end - start)
    out: list[Segment] = []
    for start, end in pairwise(points):
        if start == end:
            continue
        style = word if marked[start] else base
        syn = colour[start]
        out.append(Segment(text[start:end], style + syn if syn is not None else style))
    return out


Bodies = dict[tuple[Row, bool], list[Segment]]
"""A row's painted text, by row and dark/light theme."""


@dataclass(eq=False, slots=True)
class FileRows:
    """One file's rows, built once (and again when the file is edited: a new plan)."""

    file: FileReview
    plan: FilePlan
    rows: list[Row]
    split: list[SplitRow]
    number_width: int
    text_width: int
    bodies: Bodies = field(default_factory=dict)

    @classmethod
    def build(cls, file: FileReview) -> FileRows:
        rows = unified_rows(file)
        numbers = [n for r in rows for n in (r.old_no, r.new_no) if n is not None]
        return cls(
            file,
            file.plan,
            rows,
            split_rows(rows),
            number_width=len(str(max(numbers, default=1))),
            text_width=max(
                (len(r.text) for r in rows if r.kind not in ("header", "note")), default=0
            ),
        )

    def fresh(self, file: FileReview) -> bool:
        return self.file is file and self.plan is file.plan

    def starts(self, split: bool) -> list[int]:
        return hunk_starts([r.hunk for r in (self.split if split else self.rows)])

    def texts(self, split: bool, start: int, end: int) -> Iterator[Row]:
        """The rows with a body among display rows ``start:end`` (either view)."""
        if split:
            for pair in self.split[max(0, start) : end]:
                yield from (side for side in (pair.left, pair.right) if side is not None)
        else:
            yield from (
                r for r in self.rows[max(0, start) : end] if r.kind not in ("header", "note")
            )


def wrap_pairs(pairs: Sequence[SplitRow], widths: tuple[int, int]) -> list[tuple[int, int]]:
    """The display rows of the split view: ``(pair index, part)``, as many parts per pair as
    its longer side needs, wrapped at word boundaries (:func:`~tui.diffrows.wrap_cells`), at
    body widths ``widths`` (one part when not laid out yet)."""
    left_width, right_width = widths
    out: list[tuple[int, int]] = []
    for i, pair in enumerate(pairs):
        parts = 1
        if left_width > 0 and pair.full is None:
            for side, w in ((pair.left, left_width), (pair.right, right_width)):
                if side is not None and cell_len(side.text) > w:
                    parts = max(parts, len(wrap_cells(side.text, w)))
        out.extend((i, part) for part in range(parts))
    return out


KEEP = 8  # files whose rows and bodies are kept (the one shown, its neighbours, recent ones)


class DiffView(ScrollView, can_focus=True):
    """One file's diff with a line cursor and a hunk cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff-view--added",
        "diff-view--removed",
        "diff-view--added-word",
        "diff-view--removed-word",
        "diff-view--header",
        "diff-view--header-cursor",
        "diff-view--note",
        "diff-view--lineno",
        "diff-view--cursor",
        "diff-view--marker",
        "diff-view--pending",
        "diff-view--accepted",
        "diff-view--rejected",
        "diff-view--applied",
        "diff-view--failed",
        "diff-view--conflict",
        "diff-view--tolerated",
        "diff-view--match",
    }

    DEFAULT_CSS = """
    DiffView { background: $surface; }
    DiffView > .diff-view--added { background: $success 12%; }
    DiffView > .diff-view--removed { background: $error 12%; }
    DiffView:light > .diff-view--added { background: $success 30%; }
    DiffView:light > .diff-view--removed { background: $error 30%; }
    DiffView > .diff-view--added-word { background: $success 40%; }
    DiffView > .diff-view--removed-word { background: $error 40%; }
    DiffView > .diff-view--header { background: $panel; color: $text-muted; }
    DiffView > .diff-view--header-cursor { background: $primary 35%; color: $text; text-style: bold; }
    DiffView > .diff-view--note { color: $text-warning; }
    DiffView > .diff-view--lineno { color: $text-muted; }
    DiffView > .diff-view--cursor { background: $primary; color: $text; }
    DiffView > .diff-view--marker { color: $primary; }
    DiffView > .diff-view--pending { color: $text-muted; }
    DiffView > .diff-view--accepted { color: $text-success; text-style: bold; }
    DiffView > .diff-view--rejected { color: $text-error; text-style: bold; }
    DiffView > .diff-view--applied { color: $accent; text-style: bold; }
    DiffView > .diff-view--failed { color: $warning; text-style: bold; }
    DiffView > .diff-view--conflict { color: $warning; text-style: bold; }
    DiffView > .diff-view--tolerated { color: $warning; text-style: bold; }
    DiffView > .diff-view--match { background: $warning 60%; color: $text; text-style: bold; }
    """

    class CursorMoved(Message):
        """The cursor moved to another hunk (or another file was shown)."""

        def __init__(self, view: DiffView, hunk: int) -> None:
            super().__init__()
            self.view = view
            self.hunk = hunk

    split: reactive[bool] = reactive(False)
    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.file: FileReview | None = None
        self._rows: list[Row] = []
        self._split: list[SplitRow] = []
        self._built: FileRows | None = None  # the file's rows, before notes are wrapped
        self._note_width = 0  # the width the notes in _rows and _split are wrapped at
        self._wrapped: list[tuple[int, int]] = []  # split view: (pair index, part) per row
        self._wrap_width = 0
        self._starts: list[int] = []
        self._bodies: Bodies = {}
        self._styles: dict[str, Style] = {}
        self._text_width = 0
        self._number_width = 1
        self._last_hunk = -1
        self._kept: dict[int, FileRows] = {}  # by id(file), oldest first
        self._search = ""
        self._colouring: set[str] = set()  # paths drawn plain, their lexer built next frame
        self.plain_first = False
        """Draw a file whose lexer is not built yet plain, and colour it right after (the
        first screen of ``tome review`` does not wait for pygments)."""

    @property
    def search(self) -> str:
        """The term the pane marks in its lines (empty: none)."""
        return self._search

    @search.setter
    def search(self, term: str) -> None:
        if term != self._search:
            self._search = term
            self.refresh()

    # -- content ----------------------------------------------------------------------------

    def show(self, file: FileReview | None, *, hunk: int | None = None, last: bool = False) -> None:
        """Show ``file`` with the cursor on ``hunk`` (its first, or its last when ``last``).

        Showing the file already shown rebuilds its rows (after it was edited)."""
        if file is not None and file is self.file:
            self._kept.pop(id(file), None)
        self.file = file
        built = self._file_rows(file) if file is not None else None
        self._built = built
        self._bodies = built.bodies if built is not None else {}
        self._number_width = built.number_width if built is not None else 1
        self._text_width = built.text_width if built is not None else 0
        self._layout()
        self._last_hunk = -1
        starts = self._starts
        if hunk is not None:
            target = next((s for s in starts if self._row_hunk(s) == hunk), 0)
        else:
            target = starts[-1] if last and starts else 0
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._jump(target, top=True)

    def _file_rows(self, file: FileReview) -> FileRows:
        """The file's rows, kept from before when the file is unchanged since."""
        kept = self._kept.pop(id(file), None)
        if kept is None or not kept.fresh(file):
            kept = FileRows.build(file)
        self._kept[id(file)] = kept  # now the newest
        while len(self._kept) > KEEP:
            del self._kept[next(iter(self._kept))]
        return kept

    def prepare(self, file: FileReview, *, last: bool = False) -> None:
        """Build ``file``'s rows and the bodies ``show(file, last=last)`` would draw first."""
        built = self._file_rows(file)
        starts = built.starts(self.split)
        top = max(0, starts[-1] - 1) if last and starts else 0
        self._paint_bodies(built, built.texts(self.split, top, top + self._height()))

    def warm(self) -> None:
        """Paint the bodies a screen above and below the one shown (where n and p go)."""
        if self.file is None:
            return
        built = self._file_rows(self.file)
        y, height = int(self.scroll_y), self._height()
        self._paint_bodies(built, built.texts(self.split, y - height, y + 2 * height))

    def _height(self) -> int:
        return self.scrollable_content_region.height or self.size.height or 1

    def _paint_bodies(self, built: FileRows, rows: Iterator[Row]) -> None:
        dark = self._dark
        for row in rows:
            if (row, dark) not in built.bodies:
                self._body(row, built)

    def _layout(self) -> None:
        self._wrap_notes()
        gutter = self._gutter_width()
        if self.split:
            self._wrap_width = self.scrollable_content_region.width
            self._wrapped = wrap_pairs(self._split, self._half_widths(self._wrap_width))
            width = self._wrap_width  # lines wrap: nothing to scroll sideways to
        else:
            width = 1 + gutter + self._text_width
        self._starts = hunk_starts([self._row_hunk(i) for i in range(self.row_count)])
        self.virtual_size = Size(width, self.row_count)
        self.refresh()

    def _wrap_notes(self) -> None:
        """The rows shown: the file's, with each note wrapped to the pane's width (a note
        is drawn whole-width in both views; cut off, the first line of a failed hunk's
        report, what failed, was lost past column 54 at 80 columns)."""
        built = self._built
        width = max(0, self.scrollable_content_region.width - 1 - NOTE_INDENT)
        self._note_width = width
        if built is None:
            self._rows, self._split = [], []
            return
        rows = wrap_notes(built.rows, width)
        self._rows = rows
        self._split = built.split if rows is built.rows else split_rows(rows)

    def _half_widths(self, width: int) -> tuple[int, int]:
        """The body widths of the two halves at pane width ``width`` (0: not laid out)."""
        if width <= 0:
            return 0, 0
        half = (width - 2) // 2
        gutter = self._gutter_width()
        return max(1, half - gutter), max(1, width - 2 - half - gutter)

    def on_resize(self, event: events.Resize) -> None:
        """The wrap (of notes; side by side, of lines) follows the width: keep the cursor
        on its line."""
        width = self.scrollable_content_region.width
        notes = width - 1 - NOTE_INDENT != self._note_width
        if not notes and (not self.split or width == self._wrap_width):
            return
        if self.split:
            pair = self._wrapped[self.cursor][0] if self.cursor < len(self._wrapped) else 0
            line = self._split[pair] if pair < len(self._split) else None
            self._layout()
            at = next((i for i, p in enumerate(self._split) if p == line), 0)
            row = next((i for i, (p, part) in enumerate(self._wrapped) if p == at and not part), 0)
        else:
            shown = self._rows[self.cursor] if self.cursor < len(self._rows) else None
            self._layout()
            row = next((i for i, r in enumerate(self._rows) if r == shown), 0)
        self.cursor = min(row, max(0, self.row_count - 1))
        self._jump(self.cursor)

    def watch_split(self) -> None:
        hunk = self._hunk_before_toggle()
        self._layout()
        self.cursor = min(self.cursor, max(0, self.row_count - 1))
        if self.file is not None:
            start = next((s for s in self._starts if self._row_hunk(s) == hunk), 0)
            self._jump(start, top=True)

    def _hunk_before_toggle(self) -> int:
        """The hunk under the cursor in the view just left (``split`` already says the new
        one, so ``current_hunk`` would read the cursor's row in the wrong list: ``d`` on
        the second hunk went back to the first)."""
        try:
            if self.split:  # was unified
                return self._rows[self.cursor].hunk
            return self._split[self._wrapped[self.cursor][0]].hunk
        except IndexError:
            return 0

    def refresh_states(self) -> None:
        """Repaint after a decision (states are read when drawing)."""
        self.refresh()

    # -- rows -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._wrapped) if self.split else len(self._rows)

    def _row_hunk(self, index: int) -> int:
        if self.split:
            return self._split[self._wrapped[index][0]].hunk
        return self._rows[index].hunk

    @property
    def current_hunk(self) -> int:
        """The 1-based hunk under the cursor (0: the file-level header, or nothing shown)."""
        if not self.row_count:
            return 0
        return self._row_hunk(min(self.cursor, self.row_count - 1))

    @property
    def hunk_rows(self) -> list[int]:
        """The row index of each hunk's header."""
        return list(self._starts)

    # -- moving -----------------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        """Repaint the rows the move changes: the two cursor rows and, when the hunk changed,
        both hunks (their gutter marks and headers). A scroll repaints the rest."""
        hunk = self.current_hunk
        if hunk != self._last_hunk:
            self._refresh_hunk(self._last_hunk)
            self._refresh_hunk(hunk)
            self._last_hunk = hunk
            self.post_message(self.CursorMoved(self, hunk))
        self.refresh_line(old)
        self.refresh_line(new)

    def _refresh_hunk(self, hunk: int) -> None:
        start = next((s for s in self._starts if self._row_hunk(s) == hunk), None)
        if start is not None:
            self.refresh_lines(start, self._hunk_end(start) - start + 1)

    def _jump(self, row: int, *, top: bool = False) -> None:
        row = max(0, min(row, self.row_count - 1)) if self.row_count else 0
        self.cursor = row
        height = self._height()
        y = int(self.scroll_y)
        if top:
            end = self._hunk_end(row)
            if row < y or end >= y + height:
                self.scroll_to(y=max(0, row - 1), animate=False, immediate=True)
        elif row < y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= y + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def _hunk_end(self, row: int) -> int:
        later = [s for s in self._starts if s > row]
        return (later[0] if later else self.row_count) - 1

    def move_line(self, delta: int) -> None:
        self._jump(self.cursor + delta)

    def next_hunk(self) -> bool:
        """Put the cursor on the next hunk's header; False when this was the last."""
        later = [s for s in self._starts if s > self.cursor]
        if not later:
            return False
        self._jump(later[0], top=True)
        return True

    def goto_hunk(self, hunk: int) -> None:
        """Put the cursor on hunk ``hunk``'s header (nothing when the file has no such hunk)."""
        start = next((s for s in self._starts if self._row_hunk(s) == hunk), None)
        if start is not None:
            self._jump(start, top=True)

    def prev_hunk(self) -> bool:
        """Put the cursor on this hunk's header, or the one before; False at the first."""
        current = max((s for s in self._starts if s <= self.cursor), default=0)
        target = current if self.cursor > current else None
        if target is None:
            earlier = [s for s in self._starts if s < current]
            if not earlier:
                return False
            target = earlier[-1]
        self._jump(target, top=True)
        return True

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y
        if 0 <= row < self.row_count:
            self.cursor = row
        self.focus()

    # -- drawing ----------------------------------------------------------------------------

    def _gutter_width(self) -> int:
        n = self._number_width
        return n + 3 if self.split else 2 * n + 4

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()  # the theme or the CSS changed: styles and bodies are stale
        self._bodies.clear()
        for kept in self._kept.values():
            kept.bodies.clear()

    @property
    def _dark(self) -> bool:
        return self.app.current_theme.dark if self.app.current_theme else True

    @property
    def _base(self) -> Style:
        style = self._styles.get("")
        if style is None:
            style = self._styles[""] = self.rich_style
        return style

    def _style(self, name: str) -> Style:
        """A component style on the pane's base style (cached until the styles change)."""
        style = self._styles.get(name)
        if style is None:
            style = self._base + self.get_component_rich_style(f"diff-view--{name}")
            self._styles[name] = style
        return style

    def _body(self, row: Row, built: FileRows | None = None) -> list[Segment]:
        """The row's text with syntax colours, diff background and word spans (cached), of
        the file shown or of ``built``."""
        dark = self._dark
        key = (row, dark)
        bodies = self._bodies if built is None else built.bodies
        cached = bodies.get(key)
        if cached is None:
            file = self.file if built is None else built.file
            path = file.path if file is not None else ""
            base = self._style(row.kind) if row.kind in ("added", "removed") else self._base
            word = self._style(f"{row.kind}-word") if row.spans else base
            if built is None and self.plain_first and not lexer_ready(path):
                self._colour_later(path)  # drawn plain now, not kept: coloured next frame
                return paint(row.text, base, [], row.spans, word)
            spans = highlight_line(path, row.text, dark=dark)
            cached = bodies[key] = paint(row.text, base, spans, row.spans, word)
        return cached

    def _colour_later(self, path: str) -> None:
        """Build ``path``'s lexer once this frame is on screen, then draw it again coloured."""
        if path in self._colouring:
            return
        self._colouring.add(path)

        def colour() -> None:
            lexer_for(path)
            self._colouring.discard(path)
            self.refresh()

        self.call_after_refresh(colour)

    def _line_body(self, row: Row, width: int, *, part: int | None = None) -> Strip:
        """The row's body cropped to ``width``: at the scroll position, or (wrapped, side by
        side) its ``part``-th display line, wrapped at word boundaries, padded to ``width``."""
        fill = self._style(row.kind) if row.kind in ("added", "removed") else self._base
        strip = Strip(self._marked(row))
        if part is None:
            scroll_x = int(self.scroll_x)
            return strip.crop_extend(scroll_x, scroll_x + width, fill)
        lines = wrap_cells(row.text, width)
        if part >= len(lines):  # the other half wraps to more lines: this one is done
            return Strip.blank(width, fill)
        start, end = lines[part]
        return strip.crop(start, end).extend_cell_length(width, fill)

    def _marked(self, row: Row) -> list[Segment]:
        """The row's body with the search term marked (the cached body when none is)."""
        body = self._body(row)
        found = search_spans(row.text, self._search)
        if not found:
            return body
        match = self._style("match")
        cuts = sorted({c for span in found for c in span})
        out: list[Segment] = []
        at = 0
        for seg in body:
            text, style = seg.text, seg.style
            end = at + len(text)
            pieces = [c - at for c in cuts if at < c < end]
            for a, b in pairwise([0, *pieces, len(text)]):
                inside = any(s <= at + a < e for s, e in found)
                out.append(
                    Segment(
                        text[a:b], style + match if inside and style else match if inside else style
                    )
                )
            at = end
        return out

    def _numbers(self, row: Row, *, cursor: bool, which: str = "both") -> Segment:
        n = self._number_width
        old = "" if row.old_no is None else str(row.old_no)
        new = "" if row.new_no is None else str(row.new_no)
        if which == "old":
            text = f"{old:>{n}} "
        elif which == "new":
            text = f"{new:>{n}} "
        else:
            text = f"{old:>{n}} {new:>{n}} "
        style = self._style("cursor" if cursor else "lineno")
        return Segment(text, style)

    def _sign(self, row: Row) -> Segment:
        style = self._base
        if row.kind in ("added", "removed"):
            style = self._style(f"{row.kind}-word")
        return Segment(SIGNS.get(row.kind, " ") + " ", style)

    def _marker(self, hunk: int) -> Segment:
        on = self.file is not None and hunk == self.current_hunk and hunk > 0
        return Segment("▌" if on else " ", self._style("marker"))

    def _full(self, row: Row, width: int, *, cursor: bool) -> list[Segment]:
        """A header or note spanning the whole width."""
        if row.kind == "note":
            style = self._style("note")
            text = " " * NOTE_INDENT + row.text
            return [Segment(text[:width].ljust(width), style)]
        on = row.hunk == self.current_hunk
        style = self._style("header-cursor" if on else "header")
        label = badge = ""
        label_style = style
        if self.file is not None and row.hunk:
            hunk = self.file.hunk(row.hunk)
            label = f" {STATE_LABEL[hunk.state]} "
            label_style = style + self._style(str(hunk.state))
            badge = f" {TOLERATED}" if hunk.tolerated else ""  # kept whole, like the state
        tail = len(badge) + len(label)
        head = (" " + row.text)[: max(0, width - tail)]
        pad = max(0, width - len(head) - tail)
        out = [Segment(head + " " * pad, style)]
        if badge:
            out.append(
                Segment(badge[: max(0, width - len(head))], style + self._style("tolerated"))
            )
        out.append(Segment(label[: max(0, width - len(head) - len(badge))], label_style))
        return out

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if index >= self.row_count or width <= 0:
            return Strip.blank(width, self._base)
        cursor = index == self.cursor
        if self.split:
            pair, part = self._wrapped[index]
            return self._render_split(self._split[pair], width, cursor=cursor, part=part)
        row = self._rows[index]
        marker = self._marker(row.hunk)
        if row.kind in ("header", "note"):
            return Strip([marker, *self._full(row, width - 1, cursor=cursor)], width)
        gutter = [marker, self._numbers(row, cursor=cursor), self._sign(row)]
        body_width = max(0, width - 1 - self._gutter_width())
        body = self._line_body(row, body_width)
        return Strip([*gutter, *body], width)

    def _render_split(self, row: SplitRow, width: int, *, cursor: bool, part: int = 0) -> Strip:
        marker = self._marker(row.hunk)
        if row.full is not None:
            return Strip([marker, *self._full(row.full, width - 1, cursor=cursor)], width)
        gutter = self._gutter_width()
        half = (width - 2) // 2
        right_width = width - 2 - half
        segments = [marker]
        for side, which, w in ((row.left, "old", half), (row.right, "new", right_width)):
            if which == "new":
                segments.append(Segment("│", self._style("lineno")))
            if side is None:
                segments.append(Segment(" " * w, self._style("header")))
                continue
            if part:  # a wrapped line goes on under its text, the gutter left blank
                style = self._style("cursor" if cursor else "lineno")
                segments.append(Segment(" " * gutter, style))
            else:
                segments.append(self._numbers(side, cursor=cursor, which=which))
                segments.append(self._sign(side))
            body_width = max(0, w - gutter)
            segments.extend(self._line_body(side, body_width, part=part))
        return Strip(segments, width)
