"""A one-line input under the Review's panes: the search (``/``) or the file filter.

It tells the screen what was typed as it is typed (``Changed``, Textual's own), when Enter
was pressed (``Submitted``) and when Escape closed it (:class:`FindBar.Closed`); the screen
decides what a term does.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

Mode = Literal["search", "filter"]


class FindBar(Input):
    """The search or filter box (hidden until ``open``)."""

    DEFAULT_CSS = """
    FindBar { display: none; height: 1; border: none; padding: 0 1; }
    FindBar.-open { display: block; }
    """

    # shown: while the box has the focus the screen's keys type into it, and the footer
    # was empty (the placeholder that names them goes at the first key typed)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Done"),
        Binding("escape", "close", "Clear", priority=True),
    ]

    class Closed(Message):
        """Escape in the box: the screen clears what it did (``mode``: which box)."""

        def __init__(self, bar: FindBar, mode: Mode) -> None:
            super().__init__()
            self.bar = bar
            self.mode = mode

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.mode: Mode = "search"

    def open(self, mode: Mode, value: str = "") -> None:
        self.mode = mode
        self.placeholder = (
            "search the diff (Enter: go, Esc: clear)"
            if mode == "search"
            else ("filter the files by path (Enter: keep, Esc: clear)")
        )
        self.value = value
        self.add_class("-open")
        self.screen.set_focus(self)  # now, not after the keys already typed (focus() waits)

    def shut(self) -> None:
        self.remove_class("-open")

    def action_close(self) -> None:
        self.shut()
        self.post_message(self.Closed(self, self.mode))
