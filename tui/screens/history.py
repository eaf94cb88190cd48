"""History: the past sessions of this repository; Enter reviews one again."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from assistant.display import safe_name
from assistant.errors import AssistantError

from ..state import ReviewState
from ..widgets.footer import Footer

if TYPE_CHECKING:
    from assistant import Assistant


def when(created: float, *, now: float | None = None) -> str:
    """A short age: ``42s``, ``5m``, ``3h``, ``2d``, or the date past a month."""
    age = (time.time() if now is None else now) - created
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if age >= size:
            if unit == "d" and age >= 30 * 86400:
                return time.strftime("%Y-%m-%d", time.localtime(created))
            return f"{int(age // size)}{unit}"
    return f"{max(0, int(age))}s"


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Review", priority=True),
        Binding("r", "reload", "Reload"),
        Binding("q,escape", "back", "Back"),
    ]

    def __init__(self, assistant: Assistant, *, now: float | None = None) -> None:
        super().__init__()
        self.assistant = assistant
        self.now = now

    def compose(self) -> ComposeResult:
        yield Static("[b]History[/b]  past sessions", id="history-title", classes="title-bar")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "when", "status", "files", "tokens", "cost", "backend", "task")
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for s in self.assistant.history(limit=200):
            task = s.task.strip().splitlines()[0] if s.task.strip() else ""
            table.add_row(
                str(s.session_id),
                when(s.created, now=self.now),
                Text(safe_name(s.status)),  # str cells are parsed as markup: Text is not
                str(s.files),
                f"{s.tokens:,}",
                "" if s.cost is None else f"${s.cost:.4f}",
                Text(safe_name(s.backend)),
                Text(safe_name(task[:60])),
                key=str(s.session_id),
            )
        if not table.row_count:
            self.notify("no sessions yet: compose one with ctrl+s", severity="warning")

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        try:
            result = self.assistant.load(int(key or 0))
        except AssistantError as exc:
            self.notify(str(exc), severity="error")
            return
        from .review import ReviewScreen

        self.app.push_screen(ReviewScreen(ReviewState.for_result(self.assistant, result)))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()
