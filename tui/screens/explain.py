"""The model's explanation as an overlay: what Review shows beside the diff when the
terminal is too narrow for a third pane, rendered as Markdown as the Stream screen renders
the answer. ``w``, Escape or ``q`` closes it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from assistant.display import safe, safe_name

from ..widgets.answer_markdown import AnswerMarkdown
from .dialog import Dialog


class ExplainScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,w,q", "close", "Close", priority=True),
    ]

    def __init__(self, path: str, text: str) -> None:
        super().__init__()
        self.path = path
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog explain", id="explain-overlay") as box:
            box.border_title = f"the model's explanation · {safe_name(self.path)}"
            box.border_subtitle = "w closes"
            yield AnswerMarkdown(safe(self.text), id="explain-overlay-text")

    def action_close(self) -> None:
        self.dismiss(None)
