"""The Review screen's list of changed files: status, path and +/- counts per file, and a
``~`` when one of its hunks was placed by a tolerance (read it closely).

The status mark (:data:`GLYPH`): ``·`` undecided, ``✓`` accepted, ``✗`` rejected, ``±``
mixed (some hunks accepted, some rejected), ``●`` applied, ``!`` failed or a conflict; the
help lists them (:data:`tui.screens.help.NOTES`).

Each file takes one line at whatever width the list has: a path too long for it is shortened
from the left, by whole directories (``…/packing/select.py``), so the file name stays in
view; at a width where even that does not fit, the status word goes before the name does.
The line is a :class:`~textual.visual.Visual` that lays itself out at the width it is drawn
at, so a resize needs no rebuild of the options.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.reactive import reactive
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from assistant.edits import FileReview, HunkState

from ..diffrows import TOLERATED, file_title
from ..state import counts, file_status, tolerated

GLYPH = {
    "pending": ("·", "$text-muted"),
    "accepted": ("✓", "$success"),
    "rejected": ("✗", "$error"),
    "mixed": ("±", "$warning"),
    "applied": ("●", "$accent"),
    "failed": ("!", "$warning"),
    "conflict": ("!", "$warning"),
}
MEANING = {"pending": "undecided", "mixed": "some hunks accepted, some rejected",
           "failed": "failed or a conflict"}  # fmt: skip
"""What a mark says, where its status word alone would not (the help's legend)."""


def legend() -> list[tuple[str, str]]:
    """Each mark of the file list once, with what it means: ``("·", "undecided")``, …"""
    marks: dict[str, str] = {}
    for status, (glyph, _) in GLYPH.items():
        marks.setdefault(glyph, MEANING.get(status, status))
    return list(marks.items())


ELLIPSIS = "…"


def shorten_path(path: str, width: int) -> str:
    """``path`` in at most ``width`` cells, cut from the left by whole directories.

    ``assistant/packing/select.py`` at 20 cells is ``…/packing/select.py``; the file name is
    kept whole even when it alone is wider than ``width`` (the caller cuts elsewhere first).
    """
    if cell_len(path) <= width:
        return path
    parts = path.split("/")
    for k in range(1, len(parts)):
        tail = ELLIPSIS + "/" + "/".join(parts[k:])
        if cell_len(tail) <= width:
            return tail
    return ELLIPSIS + "/" + parts[-1] if len(parts) > 1 else path


def file_prompt(file: FileReview, width: int | None = None) -> Content:
    """One line: glyph, path, counts and status word, coloured from the theme.

    With ``width``, the status word goes first (when the whole path then fits, or the file
    name alone would not fit beside it), then the path is shortened from the left to fit
    (see :func:`shorten_path`).
    """
    status = file_status(file)
    glyph, colour = GLYPH[status]
    added, removed = counts(file)
    action = {"create": "A", "delete": "D"}.get(file.action, "R" if file.move_to else "M")
    badge = f"{TOLERATED} " if tolerated(file) else ""
    tally = _tally(file)
    title = file_title(file)
    if width is not None:
        fixed = cell_len(f"{glyph} {action}  +{added} -{removed}")
        name = title.rsplit("/", 1)[-1]
        tail = cell_len(f" {badge}{tally}")
        bare = cell_len(f" {badge}") if badge else 0
        whole = cell_len(title) <= width - fixed - bare
        if (whole and cell_len(title) > width - fixed - tail) or (
            cell_len(name) + cell_len(ELLIPSIS + "/") > width - fixed - tail
        ):
            tally, tail = "", bare  # the path before the status word: the glyph says it too
        title = shorten_path(title, max(1, width - fixed - tail))
    return Content.assemble(
        (f"{glyph} ", colour),
        (f"{action} ", "$text-muted"),
        title,
        " ",
        (f"+{added}", "$success"),
        " ",
        (f"-{removed}", "$error"),
        *((" ",) if badge or tally else ()),
        *(((badge, "$warning bold"),) if badge else ()),
        (tally, colour),
    )


class FileLine(Visual):
    """A file's line, laid out at the width it is drawn at (always one line)."""

    def __init__(self, file: FileReview) -> None:
        self.file = file
        self._full = file_prompt(file)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        content = file_prompt(self.file, width).truncate(width, ellipsis=True)
        return content.render_strips(width, 1, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self._full.cell_length

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1

    @property
    def plain(self) -> str:
        """The line's text at full width (for tests and searching)."""
        return self._full.plain


def _tally(file: FileReview) -> str:
    """The status word, with how many hunks are decided when the file is part-way."""
    status = file_status(file)
    located = [h for h in file.hunks if h.state != HunkState.FAILED]
    total = len(located)
    decided = sum(1 for h in located if h.state != HunkState.PENDING)
    if status == "pending" and 0 < decided < total:
        return f"{decided}/{total} decided"
    if status == "mixed":
        accepted = sum(1 for h in located if h.state == HunkState.ACCEPTED)
        return f"{accepted}/{total} accepted"
    return status


class FileList(OptionList):
    """Changed files; highlighting one shows it in the diff pane (``OptionHighlighted``).

    Only the user's moves (a click, the list's own keys) post ``OptionHighlighted``; the
    screen moves the highlight with :meth:`follow`, which posts nothing. Were it to post, the
    screen would get its own past moves back as stale requests after a burst of keys, show
    those files again, post again, and loop for ever, acting on files no longer on screen.
    """

    DEFAULT_CSS = """
    FileList { height: 1fr; }
    """

    # OptionList redraws every visible row when the highlight moves; only two rows change
    # (a scroll, when it needs one, still redraws the lot).
    highlighted: reactive[int | None] = reactive(None, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._files: list[FileReview] = []
        self.shown: list[int] = []
        """The files listed, by index into the changeset, in order (all, or those the
        filter keeps); the list's own positions index this."""

    def set_files(self, files: Sequence[FileReview]) -> None:
        self._files = list(files)
        self.show_only(range(len(self._files)))
        self.follow(0 if self._files else None)

    def show_only(self, indices: Sequence[int]) -> None:
        """List only the files at ``indices`` (the filter); the highlight is left unset."""
        self.shown = list(indices)
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(Option(FileLine(self._files[i]), id=f"f{i}") for i in self.shown)
            self.highlighted = None

    def file_at(self, position: int) -> int:
        """The changeset index of the file listed at ``position``."""
        return self.shown[position]

    def follow(self, index: int | None) -> None:
        """Highlight ``index`` because the screen shows it: no ``OptionHighlighted``."""
        position = self.shown.index(index) if index in self.shown else None
        if self.highlighted != position:
            with self.prevent(OptionList.OptionHighlighted):
                self.highlighted = position

    def _watch_highlighted(self, old: int | None, new: int | None) -> None:
        lines, heights = self._index_to_line, self._heights
        for index in (old, new):
            if index is not None and index in lines:
                self.refresh_lines(lines[index], heights[index])

    def refresh_file(self, index: int) -> None:
        """Redraw one file's line after a decision (nothing when the filter hides it)."""
        if index in self.shown:
            prompt = FileLine(self._files[index])
            self.replace_option_prompt_at_index(self.shown.index(index), prompt)

    def refresh_all(self) -> None:
        for position, i in enumerate(self.shown):
            self.replace_option_prompt_at_index(position, FileLine(self._files[i]))
