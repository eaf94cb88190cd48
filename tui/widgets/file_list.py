"""The Review screen's list of changed files: status, path and +/- counts per file, and a
``~`` when one of its hunks was placed by a tolerance (read it closely)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from assistant.edits import FileReview, HunkState

from ..diffrows import TOLERATED, file_title
from ..state import counts, file_status, tolerated

GLYPH = {
    "pending": ("·", "$text-muted"),
    "accepted": ("✓", "$success"),
    "rejected": ("✗", "$error"),
    "applied": ("●", "$accent"),
    "failed": ("!", "$warning"),
    "conflict": ("!", "$warning"),
}


def file_prompt(file: FileReview) -> Content:
    """One line: glyph, path, counts and status word, coloured from the theme."""
    status = file_status(file)
    glyph, colour = GLYPH[status]
    added, removed = counts(file)
    action = {"create": "A", "delete": "D"}.get(file.action, "R" if file.move_to else "M")
    return Content.assemble(
        (f"{glyph} ", colour),
        (f"{action} ", "$text-muted"),
        file_title(file),
        " ",
        (f"+{added}", "$success"),
        " ",
        (f"-{removed}", "$error"),
        " ",
        *(((f"{TOLERATED} ", "$warning bold"),) if tolerated(file) else ()),
        (_tally(file), colour),
    )


def _tally(file: FileReview) -> str:
    """The status word, with how many hunks are decided when the file is part-way."""
    status = file_status(file)
    located = [h for h in file.hunks if h.state != HunkState.FAILED]
    total = len(located)
    decided = sum(1 for h in located if h.state != HunkState.PENDING)
    if status == "pending" and 0 < decided < total:
        return f"{decided}/{total} decided"
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
            self.set_options(Option(file_prompt(self._files[i]), id=f"f{i}") for i in self.shown)
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
            prompt = file_prompt(self._files[index])
            self.replace_option_prompt_at_index(self.shown.index(index), prompt)

    def refresh_all(self) -> None:
        for position, i in enumerate(self.shown):
            self.replace_option_prompt_at_index(position, file_prompt(self._files[i]))
