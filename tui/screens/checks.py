"""Checks: what the lint and test commands said on each round's changeset (``C`` in Review).

The list on top has, per round of the repair loop that ran the checks, the commands (name,
command line, pass or fail, exit status, seconds, failures), then the same commands on the
untouched tree (the *baseline*) when they ran there; the pane below shows the highlighted
command's output: the failing part, trimmed as it was sent to the model, or (``o``) the
whole output as it came. The output is the command's, run on the model's edits: shown
escaped (:func:`assistant.display.safe`), never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Log, OptionList, Static
from textual.widgets.option_list import Option

from assistant.display import safe, safe_name
from assistant.rounds import STOPS

from ..widgets.footer import Footer

if TYPE_CHECKING:
    from assistant import Result
    from assistant.checks import CheckRun


@dataclass(frozen=True)
class Entry:
    """One line of the list: a round's heading (``run`` None) or one command of it."""

    label: str
    run: CheckRun | None = None
    where: str = ""
    """Which round (or baseline) the command ran in, for the output pane's title."""


def _run_label(run: CheckRun) -> str:
    mark = "✓" if run.passed else "✗"
    code = "timed out" if run.returncode is None else f"exit {run.returncode}"
    said = [code, f"{run.seconds:.1f} s"]
    if run.failures:
        said.append(f"{run.failures} failure{'s' * (run.failures != 1)}")
    return f"  {mark} {run.name} · " + " · ".join(said) + f" · {safe_name(run.command)}"


def entries(result: Result) -> list[Entry]:
    """The list of the Checks screen for ``result``: each round that ran the checks, its
    commands, then its baseline's (empty: no round ran them)."""
    out: list[Entry] = []
    for r in result.rounds:
        report = r.report
        if report is None:
            continue
        state = "passed" if report.passed else f"failed ({report.failures})"
        taken = " · taken" if r.number == result.round else ""
        out.append(Entry(f"round {r.number} · checks {state}{taken}"))
        where = f"round {r.number}"
        out.extend(Entry(_run_label(run), run, where) for run in report.runs)
        if report.baseline or report.baseline_failures:
            n = report.baseline_failures
            out.append(Entry(f"  before the edit (baseline): {n} failure{'s' * (n != 1)}"))
            base = f"{where}, baseline"
            out.extend(Entry("  " + _run_label(run), run, base) for run in report.baseline)
    return out


def has_checks(result: Result | None) -> bool:
    """Whether ``result`` has a round whose checks ran (the Checks screen has something)."""
    return result is not None and any(r.report is not None for r in result.rounds)


class ChecksScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "move(1)", "Next", show=False),
        Binding("k", "move(-1)", "Prev", show=False),
        Binding("o", "toggle_whole", "Whole output"),
        Binding("pagedown", "page(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("question_mark", "app.help", "Help"),
        Binding("q,escape,C", "back", "Back"),
    ]

    def __init__(self, result: Result) -> None:
        super().__init__()
        self.result = result
        self.entries = entries(result)
        self.whole = False
        """The output pane shows the whole output (``o``), not the trimmed part."""

    def compose(self) -> ComposeResult:
        yield Static(Content(self._title()), id="checks-title", classes="title-bar")
        yield OptionList(
            *(Option(Content(e.label), id=str(i), disabled=e.run is None)
              for i, e in enumerate(self.entries)),
            id="checks-list",
        )  # fmt: skip
        yield Log(id="checks-output", highlight=False, auto_scroll=False)
        yield Footer()

    def _title(self) -> str:
        n = len(self.result.rounds)
        why = STOPS.get(self.result.stopped or "", self.result.stopped or "")
        loop = f" · round {self.result.round} taken: {why}" if why else ""
        return f"Checks · {n} round{'s' * (n != 1)}{loop}"

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        first = next((i for i, e in enumerate(self.entries) if e.run is not None), None)
        if first is not None:
            options.highlighted = first
        options.focus()
        self._show()

    @property
    def current(self) -> Entry | None:
        index = self.query_one(OptionList).highlighted
        return self.entries[index] if index is not None else None

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show()

    def _show(self) -> None:
        """The highlighted command's output in the pane, trimmed or whole."""
        log = self.query_one(Log)
        log.clear()
        entry = self.current
        run = entry.run if entry is not None else None
        if entry is None or run is None:
            log.border_title = "no command"
            return
        if self.whole:
            text, what = run.full, "whole output · o: trimmed"
        else:
            sent = "as sent to the model" if not run.passed else "trimmed"
            text, what = run.output, f"{sent} · o: whole"
        log.border_title = f"{entry.where} · {run.name} · {what}"
        log.write(safe(text.rstrip("\n") or "(no output)") + "\n")
        log.scroll_home(animate=False)

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        (options.action_cursor_down if delta > 0 else options.action_cursor_up)()

    def action_page(self, delta: int) -> None:
        log = self.query_one(Log)
        (log.action_page_down if delta > 0 else log.action_page_up)()

    def action_toggle_whole(self) -> None:
        self.whole = not self.whole
        self._show()

    def action_back(self) -> None:
        self.dismiss(None)
