"""Edit a failed hunk by hand into place: the hunk as a diff in a text area, the reason it
failed and the closest region of the file above it.

A diff, not the new text alone: a hunk fails because the lines it expects (context and
``-``) are not in the file, so those are what to correct (from the closest region shown),
while its ``+`` lines stay as the model meant them; this is what ``git add -p``'s ``e``
gives. Ctrl+S places it through the same matcher as every hunk (``tui.state.relocate_hunk``):
placed, it becomes an undecided hunk; refused, the reason is shown and the text stays.
Nothing is written until apply.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, TextArea

from assistant.display import safe
from assistant.edits import FileReview

from ..state import hunk_as_diff, relocate_hunk
from .dialog import Dialog


class FixHunkScreen(Dialog[bool]):
    """Dismisses with True once the hunk placed, False on Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "place", "Place", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, file: FileReview, index: int) -> None:
        super().__init__()
        self.file = file
        self.index = index

    def compose(self) -> ComposeResult:
        failure = self.file.hunk(self.index).failure
        why = failure.describe() if failure is not None else ""
        with Vertical(classes="dialog fix-hunk") as box:
            # what to do goes in the border, the keys in the footer: every row inside is
            # the reason and the editor (at 80x24 the hunk gets 13 lines, not 3)
            box.border_title = "fix the ' ' and '-' lines to match the file"
            box.border_subtitle = "ctrl+s places it · escape cancels"
            yield Label(Content(safe(why)), id="fix-why")
            yield TextArea(hunk_as_diff(self.file, self.index), id="fix-text",
                           soft_wrap=False, show_line_numbers=True)  # fmt: skip
            yield Label("", id="fix-refusal")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_place(self) -> None:
        refusal = relocate_hunk(self.file, self.index, self.query_one(TextArea).text)
        if refusal is None:
            self.dismiss(True)
            return
        refused = self.query_one("#fix-refusal", Label)
        refused.update(Content.assemble(("not placed: ", "$error"), safe(refusal)))
        refused.display = True

    def action_cancel(self) -> None:
        self.dismiss(False)
