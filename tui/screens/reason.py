"""Ask why a hunk is rejected: the reason goes back to the model with the hunk."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label

from assistant.display import safe

from .dialog import Dialog


class ReasonScreen(Dialog[str | None]):
    """Dismisses with the typed reason (Enter) or None (Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(safe(self.title_text)), classes="question")  # plain text
            yield Input(self.value, placeholder="what is wrong with this hunk?", id="reason")
            yield Label("Enter to reject with this reason · Escape to cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
