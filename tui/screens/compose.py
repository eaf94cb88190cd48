"""Compose: pick the files, see what they cost in tokens and dollars, write the task, send.

The repository is packed once in a thread worker (no network) to count every file; the tree
shows the counts per file and folder, and the meter follows the include/exclude toggles.
Sending streams on the Stream screen (``@work(exclusive=True)``: a new send replaces one
still being prepared).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Select, Static, TextArea

from assistant.display import safe_name
from assistant.errors import AssistantError

from ..widgets.budget_meter import Budget, BudgetMeter
from ..widgets.file_tree import FileTree
from .stream import StreamScreen


class ComposeScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding("ctrl+b", "next_backend", "Backend"),
        Binding("ctrl+r", "recount", "Recount"),
        Binding("ctrl+h", "history", "History"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(self, assistant: Any) -> None:
        super().__init__()
        self.assistant = assistant
        self.counted = False

    def compose(self) -> ComposeResult:
        a = self.assistant
        title = Content.assemble(("tome", "bold"), "  ", safe_name(a.root.name))
        yield Static(title, id="compose-title", classes="title-bar")
        with Horizontal(id="compose-body"):
            yield FileTree(id="tree")
            with Vertical(id="compose-side"):
                yield Select(
                    [(name, name) for name in self._backends()],
                    value=a.backend.name,
                    allow_blank=False,
                    id="backend",
                )
                yield BudgetMeter(id="meter")
                yield TextArea(id="task", soft_wrap=True, show_line_numbers=False)
                yield Button("Send (ctrl+s)", variant="primary", id="send")
        yield Footer()

    def _backends(self) -> list[str]:
        from assistant.model import available_backends

        names = list(available_backends(self.assistant.settings))
        if self.assistant.backend.name not in names:
            names.insert(0, self.assistant.backend.name)
        return names

    def on_mount(self) -> None:
        self.query_one("#task", TextArea).border_title = "task"
        self.query_one("#tree", FileTree).border_title = "files (space: include/exclude)"
        self.query_one("#task", TextArea).focus()
        self.action_recount()

    # -- counting ---------------------------------------------------------------------------

    def action_recount(self) -> None:
        self.query_one(BudgetMeter).budget = None
        self._count()

    @work(thread=True, exclusive=True, group="count")
    def _count(self) -> None:
        from assistant import pack

        a = self.assistant
        try:
            packed = pack(a.root, encoding=a.backend.encoding, cache=a.cache)
        except AssistantError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        files = [(f.path, f.tokens) for f in packed.files]
        self.app.call_from_thread(self._counted, files)

    def _counted(self, files: list[tuple[str, int]]) -> None:
        self.query_one(FileTree).set_files(files)
        self.counted = True
        self._update_meter()

    def _update_meter(self) -> None:
        if not self.counted:
            return
        backend = self.assistant.backend
        prices = backend.prices
        tokens = self.query_one(FileTree).entry.included_tokens()
        reserve = min(getattr(self.assistant.options, "max_output", None) or 0, backend.max_output)
        self.query_one(BudgetMeter).budget = Budget(
            tokens=tokens,
            window=backend.window,
            output=reserve or backend.max_output,
            miss_price=prices.cache_miss if prices else None,
            hit_price=prices.cache_hit if prices else None,
            output_price=prices.output if prices else None,
        )

    @on(FileTree.Toggled)
    def _toggled(self) -> None:
        self._update_meter()

    # -- backend ----------------------------------------------------------------------------

    @on(Select.Changed, "#backend")
    def _backend_changed(self, event: Select.Changed) -> None:
        name = str(event.value)
        if name == self.assistant.backend.name:
            return
        from assistant.session import Assistant

        try:
            self.assistant = Assistant(
                self.assistant.root,
                backend=name,
                settings=self.assistant.settings,
                cache=self.assistant.cache,
            )
        except AssistantError as exc:
            self.notify(str(exc), title="cannot use this backend", severity="error")
            return
        self.app.assistant = self.assistant  # type: ignore[attr-defined]
        self.action_recount()  # the encoding may differ

    def action_next_backend(self) -> None:
        select = self.query_one("#backend", Select)
        names = self._backends()
        if len(names) > 1:
            i = names.index(str(select.value)) if select.value in names else -1
            select.value = names[(i + 1) % len(names)]

    def action_history(self) -> None:
        from .history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.assistant))

    # -- sending ----------------------------------------------------------------------------

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        task = self.query_one("#task", TextArea).text.strip()
        if not task:
            self.notify("write the task first", severity="warning")
            return
        paths = self.query_one(FileTree).included_paths() if self.counted else None
        if paths == []:
            self.notify("every file is excluded; include some with space", severity="warning")
            return
        self._send(task, paths)

    @work(exclusive=True, group="send")
    async def _send(self, task: str, paths: list[str] | None) -> None:
        a = self.assistant
        prices = a.backend.prices
        first = task.splitlines()[0]
        await self.app.push_screen(
            StreamScreen(
                lambda cancel: a.stream(task, paths=paths, cancel=cancel),
                title=first if len(first) <= 60 else first[:59] + "…",
                output_price=prices.output if prices else None,
            )
        )
