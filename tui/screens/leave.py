"""Leaving Review with accepted hunks not yet written: apply them, leave them, or stay.

``git add -p`` and lazygit never lose a decision silently; neither does ``q`` here.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label

from assistant.display import safe

from .dialog import Dialog

Choice = Literal["apply", "discard", "cancel"]


class LeaveScreen(Dialog[Choice]):
    """Dismisses with ``apply`` (a, Enter: apply, then leave), ``discard`` (d: leave without
    writing; the decisions stay recorded) or ``cancel`` (c, Escape: stay in Review).

    The question is shown as plain text (it may name files), never parsed as markup.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a,enter", "choose('apply')", "Apply", priority=True),
        Binding("d", "choose('discard')", "Leave", priority=True),
        Binding("c,escape", "choose('cancel')", "Stay", priority=True),
    ]

    DEFAULT_CSS = """
    LeaveScreen .question { width: 100%; }
    LeaveScreen Button { min-width: 12; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(safe(self.question)), classes="question")  # plain text
            with Horizontal(classes="buttons"):
                yield Button("Apply (a)", variant="primary", id="apply")
                yield Button("Leave (d)", variant="warning", id="discard")
                yield Button("Stay (c)", id="cancel")

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice: Choice = "apply" if event.button.id == "apply" else "cancel"
        if event.button.id == "discard":
            choice = "discard"
        self.dismiss(choice)
