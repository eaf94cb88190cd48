"""Stream: the answer as it arrives, the edits as they are parsed, speed, time and cost.

The request is a blocking iterator (``Assistant.stream`` or ``resend``), run in a thread
worker; text is batched and posted back with ``call_from_thread`` about 20 times a second.
Text that arrives within that window is held in a locked buffer, which a Textual interval
on the screen also drains every :data:`FLUSH_EVERY` seconds: a stream that stalls after a
delta (the model thinking, a slow network) still shows what it sent, not at the next event.
Escape sets the cancel event: the session stops reading and still finishes (``cancelled``).
When the result is in, the Review screen replaces this one.

The answer is rendered as Markdown, and it is the model's, so untrusted: controls are
escaped (:class:`assistant.display.Escaper`) before the parser sees them, links are never
opened (``open_links=False``, and a click is only shown), and batches go through Textual's
``MarkdownStream``, which appends to the last block and coalesces what arrives while it
renders, so a huge answer never re-renders the whole document per batch. Past
:data:`MARKDOWN_LIMIT` characters (Textual's Markdown is a widget per block) the answer
switches to a plain, virtualised log, and the border says so. The title and the
footer say how the answer ended: streaming, complete, cut off, cancelled or failed.

A model that reasons streams its reasoning first (:class:`~assistant.session.ReasoningDelta`):
it goes to a folded section above the answer (:class:`~tui.widgets.reasoning_view.
ReasoningView`, ``r`` unfolds it), escaped, plain text, never part of the answer nor read
for edits; the stats line counts its tokens with the output, as they are billed.

With verify on (Compose's options), the checks of each round's changeset run in a scratch
worktree before the answer is shown for review (:meth:`StreamScreen.showing`): the edits list
marks them (``── checks: test, lint ──``, then how they ended) and the stats line says
they are running; a failing check is a repair round like a hunk that did not place.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Log, Markdown, OptionList, Static
from textual.widgets.markdown import MarkdownStream

from assistant.display import Escaper, safe, safe_name
from assistant.errors import AssistantError
from assistant.rounds import stop_note
from assistant.session import (
    Event,
    FileEdited,
    Finished,
    ReasoningDelta,
    Retrying,
    Round,
    TextDelta,
)

from ..advice import error_text
from ..state import ReviewState
from ..widgets.answer_markdown import AnswerMarkdown
from ..widgets.footer import Footer
from ..widgets.reasoning_view import ReasoningView

if TYPE_CHECKING:
    from collections.abc import Mapping

    from assistant import Result
    from assistant.checks import Checker, CheckReport
    from assistant.edits import FileEdit

Source = Callable[[threading.Event], Iterator[Event]]
FLUSH_EVERY = 0.05
MARKDOWN_LIMIT = 100_000
"""Characters of answer rendered as Markdown; past it, plain text (0.5 s to lay out at most
in one burst, where 2 MB would freeze the app for seconds)."""


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
        Binding("escape", "back", "Back (answer ended)", priority=True),
        Binding(ReasoningView.key, "toggle_reasoning", "Reasoning"),
    ]

    ENDED: ClassVar[dict[str, str]] = {"complete": "$success", "cut off": "$warning", "cancelled": "$warning",
             "failed": "$error"}  # fmt: skip
    """How an answer ends, as the title and footer say it, with its colour."""

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
        self.round = ""  # "round 2" once a repair round is asked, shown in the stats line
        self.checking = ""  # what the checks are doing, shown in the stats line
        self.shown = Escaper()  # the answer is the model's: shown, never obeyed
        self.thought = Escaper()  # so is its reasoning
        self.reasoning_chars = 0
        self.ended = ""  # "" while streaming, else a key of ENDED
        self._markdown: MarkdownStream | None = None
        self._text_so_far: list[str] = []  # escaped, for the switch to plain text
        self._held = threading.Lock()  # the worker's text and reasoning not yet shown
        self._pending: list[str] = []
        self._pending_thoughts: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="stream-title", classes="title-bar")
        with Horizontal(id="stream-body"):
            with Vertical(id="stream-main"):
                yield ReasoningView(id="reasoning")
                with VerticalScroll(id="answer-scroll"):
                    yield AnswerMarkdown(id="answer")
                yield Log(id="answer-plain", highlight=False)
            yield OptionList(id="edits")
        yield Static("starting…", id="stream-stats", classes="status-bar")
        yield Footer()

    def _title(self) -> Content:
        name = safe_name(self.title_text)
        if not self.ended:
            return Content.assemble(("Asking", "bold"), "  ", name, "  ·  ", "streaming…")
        state = f"answer {self.ended}"
        return Content.assemble(
            ("Answer", "bold"), "  ", name, "  ·  ", (state, self.ENDED[self.ended])
        )

    def _end(self, how: str) -> None:
        """The answer ended (``how``: a key of ENDED): the title says so."""
        self.done = True
        self.ended = how
        self._show_text(self.shown.close())  # a carriage return held back by the escaper
        self.query_one(ReasoningView).add(self.thought.close())
        self.refresh_bindings()
        self.query_one("#stream-title", Static).update(self._title())
        for box in self.query("#answer-scroll, #answer-plain"):
            box.border_subtitle = f"answer {how}"

    def on_mount(self) -> None:
        self.query_one("#edits", OptionList).border_title = "edits"
        answer = self.query_one("#answer", Markdown)
        scroll = self.query_one("#answer-scroll", VerticalScroll)
        scroll.border_title = "answer"
        scroll.border_subtitle = "streaming…"
        plain = self.query_one("#answer-plain", Log)
        plain.border_title = f"answer (plain text: over {MARKDOWN_LIMIT:,} characters)"
        plain.display = False
        self._markdown = Markdown.get_stream(answer)
        self.set_interval(0.25, self._stats)
        self.set_interval(FLUSH_EVERY, self._drain)  # what a stalled stream sent shows anyway
        self._run()

    @work(thread=True, exclusive=True, group="stream")
    def _run(self) -> None:
        last = time.monotonic() - FLUSH_EVERY  # the first text shows at once (a stall after it)
        try:
            for event in self.source(self.cancel):
                if isinstance(event, TextDelta | ReasoningDelta):
                    with self._held:
                        held = self._pending if isinstance(event, TextDelta) else None
                        (held if held is not None else self._pending_thoughts).append(event.text)
                    if time.monotonic() - last < FLUSH_EVERY:
                        continue  # the interval (or the next event) shows it
                self.app.call_from_thread(self._drain)  # text before what the event shows
                last = time.monotonic()
                if isinstance(event, FileEdited):
                    self.app.call_from_thread(self._edited, event.edit)
                elif isinstance(event, Retrying):
                    self.app.call_from_thread(self._retrying, str(event.notice))
                elif isinstance(event, Round):
                    self.app.call_from_thread(self._round, event)
                elif isinstance(event, Finished):
                    self.app.call_from_thread(self._finished, event.result)
            self.app.call_from_thread(self._drain)  # a source that ends without Finished
        except AssistantError as exc:
            self.app.call_from_thread(self._drain)
            self.app.call_from_thread(self._failed, error_text(exc))

    def _drain(self) -> None:
        """Show what the worker holds: the reasoning first (it comes before the answer it
        led to), then the text. Runs on the app's thread (the interval, or the worker)."""
        with self._held:
            thoughts, self._pending_thoughts = self._pending_thoughts, []
            text, self._pending = self._pending, []
        if thoughts:
            self._reasoning("".join(thoughts))
        if text:
            self._text("".join(text))
        if thoughts or text:
            self._stats()  # the count as drained, not as the last 0.25 s tick saw it

    def on_unmount(self) -> None:
        self.cancel.set()  # leaving (or quitting) stops the request

    def _reasoning(self, text: str) -> None:
        first = not self.reasoning_chars
        self.reasoning_chars += len(text)
        self.query_one(ReasoningView).add(self.thought.feed(text))
        if first:
            self.refresh_bindings()  # r now has something to unfold

    def action_toggle_reasoning(self) -> None:
        self.query_one(ReasoningView).toggle()

    def _text(self, text: str) -> None:
        self.chars += len(text)
        self._show_text(self.shown.feed(text))

    def _show_text(self, shown: str) -> None:
        """Add escaped text: to the Markdown (in order, through the screen's queue) until
        the answer passes MARKDOWN_LIMIT, then to the plain log."""
        if not shown:
            return
        if self._markdown is None:
            self.query_one("#answer-plain", Log).write(shown)
            return
        self._text_so_far.append(shown)
        if self.chars <= MARKDOWN_LIMIT:
            self.call_next(self._markdown.write, shown)
            scroll = self.query_one("#answer-scroll", VerticalScroll)
            if scroll.is_vertical_scroll_end:  # follows the end, unless the user scrolled up
                self.call_after_refresh(scroll.scroll_end, animate=False)
            return
        stream, self._markdown = self._markdown, None
        self.call_next(stream.stop)
        self.query_one("#answer-scroll").display = False
        plain = self.query_one("#answer-plain", Log)
        plain.display = True
        plain.write("".join(self._text_so_far))
        self._text_so_far.clear()

    def _edited(self, edit: FileEdit) -> None:
        self.query_one("#edits", OptionList).add_option(edit_line(edit))

    def _round(self, event: Round) -> None:
        """A repair round is asked: a separator with its line in the answer (the round's
        text streams below it) and in the edits list. The line is ours, not the model's."""
        self.round = f"round {event.number}"
        self._show_text(f"\n\n---\n\n**{event}**\n\n")
        self.query_one("#edits", OptionList).add_option(
            Content.styled(f"── {self.round} ──", "$accent")
        )
        self._stats()

    def showing(self, checker: Checker | None) -> Checker | None:
        """``checker``, its runs shown on this screen as they start and end (called from
        the request's thread: the screen is updated through ``call_from_thread``)."""
        return None if checker is None else _Watched(checker, self)

    def _checks_started(self, names: str) -> None:
        self.checking = f"checks running: {names}, in a scratch worktree…"
        self.query_one("#edits", OptionList).add_option(
            Content.styled(f"── checks: {names} ──", "$accent")
        )
        self._stats()

    def _checks_ended(self, report: CheckReport) -> None:
        if report.passed:
            base = report.baseline_failures
            said = f"no new failures ({base} before the edit)" if base else "passed"
            style = "$success"
        else:
            new = report.failures - report.baseline_failures
            said, style = f"{new} new failure{'s' * (new != 1)}", "$error"
        self.checking = f"checks {said}"
        self.query_one("#edits", OptionList).add_option(Content.styled(f"   checks {said}", style))
        self._stats()

    def _retrying(self, line: str) -> None:
        self.retrying = line
        self.notify(line, title="the backend failed", severity="warning", markup=False)
        self._stats()

    def _stats(self) -> None:
        if self.done:
            return
        elapsed = self.clock() - self.started
        # a rough count while streaming (the usage is exact); reasoning is output too
        tokens = (self.chars + self.reasoning_chars) / 4
        line = (
            f"{elapsed:5.1f} s   ~{tokens:,.0f} tokens   ~{tokens / max(elapsed, 0.001):,.0f} tok/s"
        )
        if self.reasoning_chars and not self.chars:
            line += "   reasoning…"
        if self.round:
            line = f"{self.round}   {line}"
        if self.checking:
            line += f"   {self.checking}"
        if self.output_price is not None:
            line += f"   ~${tokens * self.output_price / 1e6:.4f} output so far"
        if self.retrying:
            line += f"   {safe(self.retrying)}"
        line += "   escape cancels"
        self.query_one("#stream-stats", Static).update(Content(line))  # plain, never markup

    def _finished(self, result: Result) -> None:
        self._end("cancelled" if result.cancelled else "cut off" if result.truncated
                  else "complete")  # fmt: skip
        elapsed = self.clock() - self.started
        usage = result.usage
        parts = [f"{elapsed:.1f} s"]
        if usage is not None:
            reasoned = usage.reasoning_tokens
            parts.append(f"{usage.completion_tokens:,} output tokens"
                         + (f" ({reasoned:,} reasoning)" if reasoned else ""))  # fmt: skip
        if result.cost is not None:
            parts.append(f"${result.cost:.4f}")
        parts.append(f"answer {self.ended}")
        if note := stop_note(result):
            parts.append(note)
        if result.truncated and not result.cancelled:
            parts[-1] += f" (finish_reason={safe_name(result.finish_reason or 'none')})"
        parts.append("escape goes back")
        self.query_one("#stream-stats", Static).update(Content("   ".join(parts)))
        assistant = getattr(self.app, "assistant", None)
        if assistant is None:  # a stream runs in an app with an assistant
            self.notify("no session to review the answer in", severity="error")
            return
        if not len(result.changeset):
            if result.edit_format == "none":  # ask mode: the answer is all there is
                return
            if result.problems:  # every edit was refused: say why, not that there were none
                why = "\n".join(result.problems[:5])
                self.notify(why, title="no edit of the answer can be used", severity="warning",
                            timeout=10)  # fmt: skip
            else:
                self.notify("the answer holds no edits", severity="warning")
            return
        self.app.switch_screen(_review(ReviewState.for_result(assistant, result)))

    def _failed(self, message: str) -> None:
        self._end("failed")
        self.failed = message
        failed = Content.assemble(
            ("answer failed:", "$error"), " ", safe(message), "   escape goes back"
        )
        self.query_one("#stream-stats", Static).update(failed)
        self.notify(message, title="the request failed", severity="error", timeout=10)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape cancels while the answer streams and goes back once it ended: the footer
        shows the one that applies."""
        if action == "cancel":
            return not self.done
        if action == "back":
            return self.done
        if action == "toggle_reasoning":
            return self.reasoning_chars > 0  # shown once there is reasoning to unfold
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cancel(self) -> None:
        if self.done:
            self.app.pop_screen()
            return
        self.cancel.set()
        self.query_one("#stream-stats", Static).update("cancelling…")


class _Watched:
    """A :class:`~assistant.checks.Checker` whose runs a :class:`StreamScreen` shows."""

    def __init__(self, checker: Checker, screen: StreamScreen) -> None:
        self.checker = checker
        self.screen = screen

    def check(self, texts: Mapping[str, str | None]) -> CheckReport:
        commands = getattr(self.checker, "commands", ())
        names = ", ".join(c.name for c in commands) or "checks"
        self.screen.app.call_from_thread(self.screen._checks_started, names)
        report = self.checker.check(texts)
        self.screen.app.call_from_thread(self.screen._checks_ended, report)
        return report


def _review(state: ReviewState) -> Screen[None]:
    from .review import ReviewScreen

    return ReviewScreen(state)
