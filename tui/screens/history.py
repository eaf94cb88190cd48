"""History: the past requests of this repository, each repair round under its request (as
``tome history`` lists them); Enter reviews one again.

A request that took repair rounds is one row (its status, files and cost are the request's:
the taken round's status and changeset, every round's cost), then one row per round: its
session, status, files, the prompt tokens it was billed and its cost, what it did (its
cached and output tokens). The backend is the last column, so that at 80 columns the task
and what each round did are on screen. Enter on
the request opens the changeset the loop gave (the taken round's); on a round, that round's.
"""

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
from assistant.rounds import STOPS

from ..state import ReviewState
from ..widgets.footer import Footer

if TYPE_CHECKING:
    from assistant import Assistant
    from assistant.history import RoundSummary, SessionSummary


def when(created: float, *, now: float | None = None) -> str:
    """A short age: ``42s``, ``5m``, ``3h``, ``2d``, or the date past a month."""
    age = (time.time() if now is None else now) - created
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if age >= size:
            if unit == "d" and age >= 30 * 86400:
                return time.strftime("%Y-%m-%d", time.localtime(created))
            return f"{int(age // size)}{unit}"
    return f"{max(0, int(age))}s"


def _money(cost: float | None) -> str:
    return "" if cost is None else f"${cost:.4f}"


def _task(s: SessionSummary) -> str:
    """The request's words: a follow-up's own message, after the ``↳ #parent`` it follows;
    with rounds, how many."""
    said = s.task.strip()
    if s.message is not None and s.message.strip():
        said = s.message.strip().split("\n\n")[-1]  # not the note of what changed before it
    task = said.splitlines()[0] if said else ""
    if s.parent_id is not None:
        task = f"↳ #{s.parent_id} {task}"
    if s.batch is not None:
        task = f"[{s.batch}] {task}"
    task = task if len(task) <= 60 else task[:59] + "…"
    return f"{task}  ({len(s.rounds)} rounds)" if s.rounds else task


def _did(r: RoundSummary, stopped: str | None) -> str:
    """What a round did and was billed: ``round 2 · 1 fixed · taken: every hunk placed ·
    1,234 cached, 52 out`` (the taken round says why the loop stopped; what it did comes
    first: at 80 columns the rest is cut)."""
    did = r.did
    taken = [f"taken: {STOPS.get(stopped or '', 'the loop stopped')}"] if r.taken else []
    said = [f"round {r.number}", *(did or ["placed"]), *taken]
    if r.prompt_tokens is not None:
        said.append(f"{r.cached_tokens or 0:,} cached, {r.output_tokens or 0:,} out")
    return " · ".join(said)


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
        self.opens: dict[str, int] = {}
        """Row key -> the session Enter reviews there."""

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]History[/b]  past sessions: each request, its repair rounds under it",
            id="history-title",
            classes="title-bar",
        )
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "when", "status", "files", "tokens", "cost", "task", "backend")
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.opens.clear()
        for s in self.assistant.requests(limit=200):
            key = f"request-{s.session_id}"
            taken = next((r.session_id for r in s.rounds if r.taken), s.session_id)
            self.opens[key] = taken  # what the user got
            table.add_row(
                str(s.session_id),
                when(s.created, now=self.now),
                Text(safe_name(s.status)),  # str cells are parsed as markup: Text is not
                str(s.files),
                f"{s.tokens:,}",
                _money(s.total_cost),
                Text(safe_name(_task(s))),
                Text(safe_name(s.backend)),  # last: the task and the rounds show at 80 columns
                key=key,
            )
            for i, r in enumerate(s.rounds):
                self._add_round(table, r, s.stopped, last=i == len(s.rounds) - 1)
        if not table.row_count:
            self.notify("no sessions yet: compose one with ctrl+s", severity="warning")

    def _add_round(
        self, table: DataTable[object], r: RoundSummary, stopped: str | None, *, last: bool
    ) -> None:
        """One round under its request: the tokens column is the prompt it was billed."""
        key = f"round-{r.session_id}"
        self.opens[key] = r.session_id
        table.add_row(
            f"{'└' if last else '├'} {r.session_id}",
            "",
            Text(safe_name(r.status)),
            str(r.files),
            "" if r.prompt_tokens is None else f"{r.prompt_tokens:,} in",
            _money(r.cost),
            Text(safe_name(_did(r, stopped))),  # checks comes from the store: untrusted
            "",
            key=key,
        )

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        session_id = self.opens.get(key or "")
        if session_id is None:
            return
        try:
            result = self.assistant.load(session_id)
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
