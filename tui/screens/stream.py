"""Stream: the answer as it arrives, the edits as they are parsed, speed, time and cost.

The request is a blocking iterator (``Assistant.stream`` or ``resend``), run in a thread
worker; text is batched and posted back with ``call_from_thread`` about 20 times a second.
Escape sets the cancel event: the session stops reading and still finishes (``cancelled``).
When the result is in, the Review screen replaces this one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Log, OptionList, Static

from assistant.display import Escaper, safe, safe_name
from assistant.errors import AssistantError
from assistant.session import Event, FileEdited, Finished, Retrying, TextDelta

from ..advice import error_text
from ..state import ReviewState
from ..widgets.footer import Footer

if TYPE_CHECKING:
    from assistant import Result
    from assistant.edits import FileEdit

Source = Callable[[threading.Event], Iterator[Event]]
FLUSH_EVERY = 0.05


def edit_line(edit: FileEdit) -> Content:
    """One line for a parsed :class:`assistant.edits.FileEdit` (its path is the model's)."""
    added = sum(h.added for h in edit.hunks)
    removed = sum(h.removed for h in edit.hunks)
    if edit.content is not None and not edit.hunks:
        added = edit.content.count("\n") + (not edit.content.endswith("\n"))
    target = f" → {safe_name(edit.move_to)}" if edit.move_to else ""
    return Content.assemble(
        f"{edit.action:<7} {safe_name(edit.path)}{target}  ",
        (f"+{added}", "$success"),
        " ",
        (f"-{removed}", "$error"),
    )


class StreamScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(
        self,
        source: Source,
        *,
        title: str,
        output_price: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.source = source
        self.title_text = title
        self.output_price = output_price
        self.clock = clock
        self.cancel = threading.Event()
        self.started = clock()
        self.chars = 0
        self.done = False
        self.failed: str | None = None
        self.retrying = ""  # the last retry notice, shown in the stats line
        self.shown = Escaper()  # the answer is the model's: shown, never obeyed

    def compose(self) -> ComposeResult:
        title = Content.assemble(("Asking", "bold"), "  ", safe_name(self.title_text))
        yield Static(title, id="stream-title", classes="title-bar")
        with Horizontal(id="stream-body"):
            yield Log(id="answer", highlight=False)
            yield OptionList(id="edits")
        yield Static("starting…", id="stream-stats", classes="status-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#edits", OptionList).border_title = "edits"
        self.set_interval(0.25, self._stats)
        self._run()

    @work(thread=True, exclusive=True, group="stream")
    def _run(self) -> None:
        buffer: list[str] = []
        last = time.monotonic()
        try:
            for event in self.source(self.cancel):
                if isinstance(event, TextDelta):
                    buffer.append(event.text)
                    if time.monotonic() - last < FLUSH_EVERY:
                        continue
                if buffer:
                    self.app.call_from_thread(self._text, "".join(buffer))
                    buffer.clear()
                    last = time.monotonic()
                if isinstance(event, FileEdited):
                    self.app.call_from_thread(self._edited, event.edit)
                elif isinstance(event, Retrying):
                    self.app.call_from_thread(self._retrying, str(event.notice))
                elif isinstance(event, Finished):
                    self.app.call_from_thread(self._finished, event.result)
        except AssistantError as exc:
            if buffer:
                self.app.call_from_thread(self._text, "".join(buffer))
            self.app.call_from_thread(self._failed, error_text(exc))

    def on_unmount(self) -> None:
        self.cancel.set()  # leaving (or quitting) stops the request

    def _text(self, text: str) -> None:
        self.chars += len(text)
        self.query_one("#answer", Log).write(self.shown.feed(text))

    def _edited(self, edit: FileEdit) -> None:
        self.query_one("#edits", OptionList).add_option(edit_line(edit))

    def _retrying(self, line: str) -> None:
        self.retrying = line
        self.notify(line, title="the backend failed", severity="warning", markup=False)
        self._stats()

    def _stats(self) -> None:
        if self.done:
            return
        elapsed = self.clock() - self.started
        tokens = self.chars / 4  # a rough count while streaming; the usage is exact
        line = (
            f"{elapsed:5.1f} s   ~{tokens:,.0f} tokens   ~{tokens / max(elapsed, 0.001):,.0f} tok/s"
        )
        if self.output_price is not None:
            line += f"   ~${tokens * self.output_price / 1e6:.4f} output so far"
        if self.retrying:
            line += f"   {safe(self.retrying)}"
        line += "   escape cancels"
        self.query_one("#stream-stats", Static).update(Content(line))  # plain, never markup

    def _finished(self, result: Result) -> None:
        self.done = True
        elapsed = self.clock() - self.started
        usage = result.usage
        parts = [f"{elapsed:.1f} s"]
        if usage is not None:
            parts.append(f"{usage.completion_tokens:,} output tokens")
        if result.cost is not None:
            parts.append(f"${result.cost:.4f}")
        if result.cancelled:
            parts.append("cancelled")
        self.query_one("#stream-stats", Static).update("   ".join(parts))
        assistant = getattr(self.app, "assistant", None)
        if assistant is None:  # a stream runs in an app with an assistant
            self.notify("no session to review the answer in", severity="error")
            return
        if not len(result.changeset):
            if result.problems:  # every edit was refused: say why, not that there were none
                why = "\n".join(result.problems[:5])
                self.notify(why, title="no edit of the answer can be used", severity="warning",
                            timeout=10)  # fmt: skip
            else:
                self.notify("the answer holds no edits", severity="warning")
            return
        self.app.switch_screen(_review(ReviewState.for_result(assistant, result)))

    def _failed(self, message: str) -> None:
        self.done = True
        self.failed = message
        failed = Content.assemble(("failed:", "$error"), " ", safe(message))
        self.query_one("#stream-stats", Static).update(failed)
        self.notify(message, title="the request failed", severity="error", timeout=10)

    def action_cancel(self) -> None:
        if self.done:
            self.app.pop_screen()
            return
        self.cancel.set()
        self.query_one("#stream-stats", Static).update("cancelling…")


def _review(state: ReviewState) -> Screen[None]:
    from .review import ReviewScreen

    return ReviewScreen(state)
