"""The model's reasoning, folded above the answer: one line while collapsed (how much has
arrived), the text itself when expanded (the Stream screen's ``r``): a read-only text area,
soft-wrapped (reasoning is long prose lines) and virtualised, appended to as it streams.

Hidden until reasoning arrives, so an answer without any looks as before. The reasoning is
the model's, so untrusted: it comes escaped (:class:`assistant.display.Escaper`), and it is
plain text, never Markdown, never read for edits.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static, TextArea


class ReasoningView(Vertical):
    DEFAULT_CSS = """
    ReasoningView {
        height: auto;
        display: none;
    }
    ReasoningView.-seen {
        display: block;
    }
    ReasoningView > #reasoning-bar {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    ReasoningView > #reasoning-log {
        height: 40vh;
        color: $text-muted;
        border: round $panel-lighten-2;
        display: none;
    }
    ReasoningView.-expanded > #reasoning-log {
        display: block;
    }
    """

    expanded: reactive[bool] = reactive(False)
    chars: reactive[int] = reactive(0)
    key = "r"
    """The key that folds and unfolds it (bound by the screen), named in its line."""

    def compose(self) -> ComposeResult:
        yield Static(self._bar(), id="reasoning-bar")
        # not focusable (on_mount): it would take the screen's keys; the wheel scrolls it
        yield TextArea(
            id="reasoning-log",
            read_only=True,
            soft_wrap=True,
            show_cursor=False,
            highlight_cursor_line=False,
            max_checkpoints=1,
        )

    def on_mount(self) -> None:
        self.query_one(TextArea).can_focus = False

    def add(self, shown: str) -> None:
        """Append reasoning text, already escaped."""
        if not shown:
            return
        self.chars += len(shown)
        self.add_class("-seen")
        log = self.query_one(TextArea)
        following = log.is_vertical_scroll_end
        log.insert(shown, log.document.end)
        if following:  # follows the end, unless the user scrolled up
            log.scroll_end(animate=False)

    def toggle(self) -> None:
        self.expanded = not self.expanded

    def watch_expanded(self, expanded: bool) -> None:
        self.set_class(expanded, "-expanded")
        self._update()

    def watch_chars(self) -> None:
        self._update()

    def _update(self) -> None:
        if self.is_mounted:
            self.query_one("#reasoning-bar", Static).update(self._bar())

    def _bar(self) -> Content:
        arrow, verb = ("▾", "hides") if self.expanded else ("▸", "shows")
        return Content.assemble(
            (f"{arrow} reasoning", "bold"),
            f"  ·  {self.key} {verb} it  ·  {self.chars:,} chars",
        )
