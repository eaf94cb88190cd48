"""Review: the changed files on the left, the selected file's diff on the right, decide, apply.

Decisions go straight into the :class:`~assistant.edits.Changeset`; writes go through
:class:`tui.state.ReviewState` (``assistant.worktree``: journaled, atomic, undoable).
Accepting or rejecting a hunk moves on to the next one, as ``git add -p`` does.

A hunk placed by a tolerance (trailing whitespace, indentation, its line number among
repeats, ...) is marked ``~`` in the file list, its header and the title bar; the lines under
its header and the status bar, while it is under the cursor, say what was tolerated.

The model's explanation (the answer's prose, :mod:`tui.prose`) stands beside the diff, the
paragraph nearest the file's edit first; ``w`` hides or shows it. It is absent when there is
no prose (a bare patch), and below :data:`EXPLAIN_WIDTH` columns ``w`` opens it as an
overlay instead of a third pane.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from assistant.display import safe, safe_name
from assistant.edits import FileReview, HunkState, file_config_edit, parse_edits
from assistant.errors import AssistantError

from ..diffrows import TOLERATED
from ..diffsearch import filtered, match_label, matching, next_match, occurrences
from ..state import (
    ReviewState,
    counts,
    decide_all_undecided,
    decide_undecided,
    edit_hunk,
    tolerated,
)
from ..widgets.diff_view import DiffView
from ..widgets.file_list import FileList
from ..widgets.find_bar import FindBar
from ..widgets.footer import Footer
from .confirm import ConfirmScreen

# the overlays a key opens (and the editor's modules) load when first opened, not before the
# first paint: ``tome review`` is on screen sooner (bench/tui.py, "launch")

EXPLAIN_WIDTH = 120
"""Columns from which the explanation is a pane beside the diff (below: an overlay)."""
DECIDABLE = (HunkState.PENDING, HunkState.ACCEPTED, HunkState.REJECTED, HunkState.CONFLICT)


def in_order(bindings: list[BindingType]) -> list[BindingType]:
    """Every key of the screen as a priority binding, so that keys run in the order typed.

    Textual runs a priority binding as soon as the app reads the key, and any other only
    later, once the key has passed through the focused widget's queue: in a burst mixing
    the two (``] ] ] y``), ``y`` would run first, on the hunk of a file no longer on screen.
    """
    return [
        dataclasses.replace(b, priority=True) if isinstance(b, Binding) else b for b in bindings
    ]


class ReviewScreen(Screen[None]):
    """Review one changeset against the working tree."""

    AUTO_FOCUS = "#diff"  # focused as the screen opens (focusing later redraws the footer)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "line(1)", "Line", show=False, priority=True),
        Binding("k,up", "line(-1)", "Line", show=False, priority=True),
        Binding("pagedown", "page(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("n", "hunk(1)", "Next hunk", priority=True),
        Binding("p", "hunk(-1)", "Prev", show=False, priority=True),
        Binding("N", "match(-1)", "Prev match", show=False),
        Binding("slash", "find('search')", "Search", show=False),
        Binding("f", "find('filter')", "Filter files", show=False),
        Binding("right_square_bracket", "file(1)", "Next file", show=False),
        Binding("left_square_bracket", "file(-1)", "Prev file", show=False),
        Binding("y,space", "accept", "Accept", priority=True),
        Binding("x", "reject", "Reject", priority=True),
        Binding("X", "reject_with_reason", "Reject with reason", show=False),
        Binding("a", "accept_file", "Accept undecided", show=False),
        Binding("r", "reject_file", "Reject undecided", show=False),
        Binding("A", "accept_all", "Accept all files", show=False),
        Binding("R", "reject_all", "Reject all files", show=False),
        Binding("S", "split_hunk", "Split hunk", show=False),
        Binding("L", "split_hunk(True)", "Split into lines", show=False),
        Binding("e", "edit", "Edit", show=False),
        Binding("d", "toggle_split", "Columns"),
        Binding("w", "explain", "Why", show=False),
        Binding("enter", "apply", "Apply", priority=True),
        Binding("u", "undo", "Undo"),
        Binding("c", "commit", "Commit"),
        Binding("s", "send_back", "Send back", show=False),
        Binding(
            "C", "checks", "Checks", show=False
        ),  # 80 columns: no room; the rounds line says it
        Binding("tab", "switch_pane", "Files⇄diff", show=False, priority=True),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "back", "Back"),
        Binding("escape", "escape", "Back", show=False),
    ]
    BINDINGS = in_order(BINDINGS)  # every key runs in the order typed (see in_order)

    class Applied(Message):
        """The accepted hunks were written (``paths``: the files changed)."""

        def __init__(self, state: ReviewState, paths: list[str]) -> None:
            super().__init__()
            self.state = state
            self.paths = paths

    class ResendRequested(Message):
        """The user asked to send the rejected hunks (with reasons) back to the model."""

        def __init__(self, state: ReviewState, rejected: dict[str, str]) -> None:
            super().__init__()
            self.state = state
            self.rejected = rejected

    def __init__(self, state: ReviewState) -> None:
        super().__init__()
        self.state = state
        self.file_index = 0
        self._preparing = False
        self.explain_on = True  # the user's choice (w); shown only with prose and room
        self._edit_lines: dict[str, list[int]] | None = None
        self._explained: str | None = None  # the path whose explanation is in the pane
        self.search = ""
        """The term ``/`` searched for (empty: none): ``n``/``N`` go to its next hunk."""
        self.filter = ""
        """What the file list is narrowed to (a path substring; empty: every file)."""
        self._matches: list[tuple[int, int]] = []
        self._times = 0  # how often the search shows in those hunks
        """The hunks that show the search, in list order (counted when the search is set or
        moved by, the filter changes, or hunks are split or edited)."""

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="review-title", classes="title-bar")
        result = self.state.result
        line = None
        if result is not None:  # a session's review: a patch's has no rounds (nor SQLite)
            from assistant.rounds import rounds_line

            line = rounds_line(result)
        if result is not None and line:
            from .checks import has_checks

            line += " · C: the checks" if has_checks(result) else ""
            rounds = Static(Content(line), id="review-rounds", classes="status-bar")
            rounds.styles.height = "auto"  # wraps at 80 columns rather than cut
            yield rounds
        with Horizontal(id="review-body"):
            yield FileList(id="files")
            yield DiffView(id="diff")
            yield VerticalScroll(id="explain")  # its Markdown is mounted when first shown
        yield FindBar(id="find")
        yield Static("", id="review-status", classes="status-bar")
        yield Footer()

    def on_mount(self) -> None:
        files = self.query_one(FileList)
        files.set_files(self.state.files)
        self.query_one(DiffView).plain_first = getattr(self.app, "plain_first", False)
        self._show(0)
        self.query_one(DiffView).focus()
        for problem in self.state.problems:
            self.notify(problem, title="cannot read part of the patch", severity="warning")
        flagged = self._config_edits()
        if flagged:
            self.notify(
                "\n".join(flagged),
                title="config edits: they steer every later run; read them before accepting",
                severity="warning",
                timeout=12,
                markup=False,
            )

    def _config_edits(self) -> list[str]:
        """Why each flagged file is a config edit (assistant.edits.file_config_edit)."""
        return [r for f in self.state.files if (r := file_config_edit(f))]

    @property
    def diff(self) -> DiffView:
        return self.query_one(DiffView)

    @property
    def file(self) -> FileReview | None:
        files = self.state.files
        return files[self.file_index] if 0 <= self.file_index < len(files) else None

    def _title(self) -> Content:
        files = self.state.files
        n = len(files)
        added = removed = 0
        for f in files:
            a, r = counts(f)
            added += a
            removed += r
        flagged = sum(1 for f in files if file_config_edit(f))
        warn = f"! {flagged} config edit{'s' * (flagged != 1)}" if flagged else ""
        loose = sum(tolerated(f) for f in files)
        mark = (
            f"{TOLERATED} {loose} hunk{'s' * (loose != 1)} placed by a tolerance" if loose else ""
        )
        # the figures and warnings before the title: a one-line bar cuts at its end, and at
        # 80 columns a task as title ("Document that optional() skips ...") cut off the
        # counts and the warnings after it
        return Content.assemble(
            ("Review", "bold"),
            f"  {n} file{'s' * (n != 1)}  ",
            (f"+{added}", "$success"),
            " ",
            (f"-{removed}", "$error"),
            *(("  ", (warn, "$warning")) if warn else ()),
            *(("  ", (mark, "$warning")) if mark else ()),
            f"  ·  {safe_name(self.state.title)}",
        )

    def _show(self, index: int, *, hunk: int | None = None, last: bool = False) -> None:
        if not self.state.files:
            self.diff.show(None)
            self._status()
            return
        self.file_index = index
        self.query_one(FileList).follow(index)  # posts nothing back: see FileList
        self.diff.show(self.state.files[index], hunk=hunk, last=last)
        self._explain()
        self._status()

    def _status(self) -> None:
        s = self.state
        tally = "  ".join(
            f"{s.count(state)} {state}"
            for state in HunkState
            if s.count(state) or state == HunkState.PENDING
        )
        parts: list[str | tuple[str, str]] = []
        f = self.file
        loose: tuple[str, ...] = ()
        if f is not None:
            if file_config_edit(f):
                parts.append(("! config edit  ", "$warning"))
            parts.append(f"file {self.file_index + 1}/{len(s.files)}")
            hunk = self.diff.current_hunk
            if hunk:
                parts.append(f"  hunk {hunk}/{len(f.hunks)}")
                loose = f.hunk(hunk).tolerated
        parts.append(f"   {tally}")
        if self.filter:
            shown = len(self.query_one(FileList).shown)
            parts.append(f"   filter {safe_name(self.filter)!r}: {shown} file{'s' * (shown != 1)}")
        if self.search:
            here = (self.file_index, self.diff.current_hunk)
            label = match_label(self._matches, here, self._times)
            said = f"   /{safe_name(self.search)}: "
            if Content.assemble(*parts, said, label).cell_length > self.size.width - 2:
                label = match_label(self._matches, here, self._times, short=True)  # 80 columns
            parts.append(said)
            parts.append((label, "$warning" if not self._matches else ""))
        if loose:  # last: at 80 columns a long phrase is cut, not the tally (the pane has it)
            parts.append((f"   {TOLERATED} " + safe_name("; ".join(loose)), "$warning"))
        status = Content.assemble(*parts)
        self.query_one("#review-status", Static).update(status, layout=False)

    def _decided(self) -> None:
        self.query_one(FileList).refresh_file(self.file_index)
        self.diff.refresh_states()
        self._status()

    # -- events from children ---------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#files")
    def _file_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """The user moved the list's highlight (the screen's own moves post nothing)."""
        index = self.query_one(FileList).file_at(event.option_index)
        if index != self.file_index:
            self._show(index)

    @on(OptionList.OptionSelected, "#files")
    def _file_selected(self, event: OptionList.OptionSelected) -> None:
        self.set_focus(self.diff)  # now: the keys after Enter act on the diff

    @on(DiffView.CursorMoved)
    def _cursor_moved(self, event: DiffView.CursorMoved) -> None:
        self._status()
        if not self._preparing:  # once this move is on screen, build what the next would show
            self._preparing = True
            self.call_after_refresh(self._prepare_next)

    def _prepare_next(self) -> None:
        self._preparing = False
        files, diff = self.state.files, self.diff
        diff.warm()
        if self.file_index + 1 < len(files):
            diff.prepare(files[self.file_index + 1])
        if self.file_index > 0:
            diff.prepare(files[self.file_index - 1], last=True)

    # -- moving -----------------------------------------------------------------------------

    def _neighbour(self, delta: int) -> int | None:
        """The file ``delta`` steps away in the list as filtered (None: past its end)."""
        shown = self.query_one(FileList).shown
        here = self.file_index
        if here in shown:
            k = shown.index(here) + delta
            return shown[k] if 0 <= k < len(shown) else None
        later = [i for i in shown if (i > here if delta > 0 else i < here)]
        return (later[0] if delta > 0 else later[-1]) if later else None

    def action_line(self, delta: int) -> None:
        if self.focused is self.query_one(FileList):
            target = self._neighbour(delta)
            if target is not None:
                self._show(target)
            return
        self.diff.move_line(delta)

    def action_page(self, delta: int) -> None:
        self.diff.move_line(delta * max(1, self.diff.size.height - 1))

    def action_match(self, delta: int) -> None:
        """``N``: the previous hunk that matches the search (the previous hunk without one)."""
        self.action_hunk(delta)

    def action_hunk(self, delta: int) -> None:
        """The next (previous) hunk; with a search, the next (previous) one that matches."""
        if self.search:
            self._next_match(forward=delta > 0)
            return
        moved = self.diff.next_hunk() if delta > 0 else self.diff.prev_hunk()
        if moved:
            return
        target = self._neighbour(delta)
        if target is not None:
            self._show(target, last=delta < 0)
        else:
            self.notify("last hunk" if delta > 0 else "first hunk", timeout=1.5)

    def action_file(self, delta: int) -> None:
        target = self._neighbour(delta)
        if target is not None:
            self._show(target)

    # -- search and filter ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No key of the screen while the search or filter box has the focus: it types.
        ``C Checks`` only when some round ran the checks."""
        if action == "checks":
            if self.state.result is None:  # a patch: no rounds (and no Checks screen to load)
                return False
            from .checks import has_checks

            return has_checks(self.state.result) and not isinstance(self.focused, Input)
        return not isinstance(self.focused, Input)

    def action_checks(self) -> None:
        """The check results of each round, each command's output (the Checks screen)."""
        from .checks import ChecksScreen, has_checks

        if self.state.result is not None and has_checks(self.state.result):
            self.app.push_screen(ChecksScreen(self.state.result))

    def action_find(self, mode: str) -> None:
        bar = self.query_one(FindBar)
        bar.open(
            "filter" if mode == "filter" else "search",
            self.filter if mode == "filter" else self.search,
        )

    @on(Input.Changed, "#find")
    def _find_changed(self, event: Input.Changed) -> None:
        if self.query_one(FindBar).mode == "filter":
            self._filter(event.value)
        else:
            self.diff.search = event.value  # marked as typed; Enter goes to it

    @on(Input.Submitted, "#find")
    def _find_submitted(self, event: Input.Submitted) -> None:
        bar = self.query_one(FindBar)
        bar.shut()
        self.set_focus(self.diff)  # now: the next key of a burst is the screen's again
        if bar.mode == "filter":
            return
        self.search = event.value
        self.diff.search = event.value
        if self.search:
            self._next_match(forward=True, here=True)
        else:
            self._clear_search()

    @on(FindBar.Closed)
    def _find_closed(self, event: FindBar.Closed) -> None:
        self.set_focus(self.diff)
        if event.mode == "filter":
            self._filter("")
        else:
            self._clear_search()

    def _clear_search(self) -> None:
        self.search = ""
        self.diff.search = ""
        self._matches = []
        self._status()

    def _count_matches(self) -> None:
        order = self.query_one(FileList).shown
        self._matches = matching(self.state.files, order, self.search)
        self._times = occurrences(self.state.files, self._matches, self.search)

    def _next_match(self, *, forward: bool, here: bool = False) -> None:
        """Go to the next hunk showing the search term, across the listed files, wrapping."""
        at = (self.file_index, self.diff.current_hunk - (1 if forward else -1) * here)
        order = self.query_one(FileList).shown
        self._count_matches()
        found = next_match(self.state.files, order, at, self.search, forward=forward)
        if found is None:
            self.notify(f"no match: no hunk shows {safe_name(self.search)!r}", severity="warning")
            self._status()
            return
        index, hunk, wrapped = found
        if index == self.file_index and self.diff.file is self.file:
            self.diff.goto_hunk(hunk)
        else:
            self._show(index, hunk=hunk)
        self._status()
        if wrapped:
            self.notify("search wrapped round", timeout=1.5)

    def _filter(self, text: str) -> None:
        files = self.query_one(FileList)
        self.filter = text.strip()
        files.show_only(filtered([f.path for f in self.state.files], self.filter))
        files.follow(self.file_index)
        if self.search:
            self._count_matches()
        if files.shown and self.file_index not in files.shown:
            self._show(files.shown[0])
        self._status()

    def action_escape(self) -> None:
        """Escape clears a search, then a filter, and only then leaves (as q does)."""
        if self.search:
            self._clear_search()
            self.notify("search cleared", timeout=1.5)
        elif self.filter:
            self._filter("")
            self.notify("filter cleared", timeout=1.5)
        else:
            self.action_back()

    def action_switch_pane(self) -> None:
        files = self.query_one(FileList)
        # now, not by focus(), which waits behind keys already queued: Tab then j typed at
        # once moved a line in the diff instead of going to the next file
        self.set_focus(self.diff if files.has_focus else files)

    def action_toggle_split(self) -> None:
        self.diff.split = not self.diff.split

    def on_unmount(self) -> None:
        self.state.save()

    # -- the model's explanation ------------------------------------------------------------

    def explanation(self, file: FileReview) -> str:
        """The answer's prose, the paragraph nearest ``file``'s edit first ('' for none)."""
        answer = self.state.answer
        if self._edit_lines is None:
            lines: dict[str, list[int]] = {}
            for edit in parse_edits(answer, strict=False) if answer else ():
                for path in edit.paths:
                    lines.setdefault(path, []).append(edit.line)
            self._edit_lines = lines
        near = self._edit_lines.get(file.path, []) + self._edit_lines.get(file.move_to or "", [])
        from ..prose import explanation

        return explanation(answer, near)

    def _show_explanation(self, text: str) -> None:
        """Put ``text`` in the explanation's Markdown, mounted the first time one is shown: a
        patch without prose never loads the Markdown parser (on the way to the first screen)."""
        from ..widgets.answer_markdown import AnswerMarkdown

        pane = self.query_one("#explain", VerticalScroll)
        found = pane.query(AnswerMarkdown)
        if found:
            found.first().update(text)
        else:
            pane.mount(AnswerMarkdown(text, id="explain-text"))

    def _explain(self) -> None:
        """Show the current file's explanation beside the diff, when there is one and room."""
        pane = self.query_one("#explain", VerticalScroll)
        f = self.file
        text = self.explanation(f) if f is not None else ""
        shown = bool(text) and self.explain_on and self.size.width >= EXPLAIN_WIDTH
        if shown and f is not None and self._explained != f.path:
            self._explained = f.path
            pane.border_title = "why (w hides)"
            self._show_explanation(safe(text))
            pane.scroll_home(animate=False)
        pane.display = shown

    def on_resize(self) -> None:
        self._explain()

    def action_explain(self) -> None:
        f = self.file
        text = self.explanation(f) if f is not None else ""
        if f is None or not text:
            self.notify("the answer has no explanation beside its edits", timeout=3)
            return
        if self.size.width < EXPLAIN_WIDTH:  # no room for a third pane: an overlay
            from .explain import ExplainScreen

            self.app.push_screen(ExplainScreen(f.path, text))
            return
        self.explain_on = not self.explain_on
        self._explain()

    def action_back(self) -> None:
        pending = self.state.count(HunkState.ACCEPTED)  # accepted, not yet written
        if not pending:
            self._leave()
            return
        files = sum(1 for f in self.state.files if f.accepted())
        question = (
            f"{pending} accepted hunk{'s' * (pending != 1)} in {files} file"
            f"{'s' * (files != 1)} not applied yet.\nApply before leaving?"
        ) + self._config_note()
        from .leave import LeaveScreen

        self.app.push_screen(LeaveScreen(question), self._leave_chosen)

    def _leave_chosen(self, choice: str | None) -> None:
        if choice == "discard" or (choice == "apply" and self._apply_now()):
            self._leave()

    def _leave(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

    # -- deciding ---------------------------------------------------------------------------

    def _current(self) -> tuple[FileReview, int] | None:
        """The file and hunk on screen: what the diff pane draws, under its cursor."""
        f = self.diff.file
        hunk = self.diff.current_hunk
        if f is None or f is not self.file or not hunk:
            return None
        return f, hunk

    def _decide(self, accept: bool, *, advance: bool = True) -> None:
        current = self._current()
        if current is None:
            return
        f, hunk = current
        state = f.hunk(hunk).state
        if state not in DECIDABLE:
            self.notify(f"hunk {hunk} is {state}; nothing to decide", severity="warning")
            return
        f.hunk(hunk).state = HunkState.ACCEPTED if accept else HunkState.REJECTED
        self._decided()
        if advance:
            self.action_hunk(1)

    def action_accept(self) -> None:
        self._decide(True)

    def action_reject(self) -> None:
        self._decide(False)

    def action_reject_with_reason(self) -> None:
        current = self._current()
        if current is None:
            return
        f, hunk = current
        state = f.hunk(hunk).state
        if state not in DECIDABLE:
            self.notify(f"hunk {hunk} is {state}; nothing to decide", severity="warning")
            return
        old = self.state.reasons.get((f.path, hunk), "")

        def done(reason: str | None) -> None:
            if reason is None:
                return
            self.state.set_reason(f.path, hunk, reason)
            self._decided()
            if self._current() == (f, hunk):  # moves on, as y and x do
                self.action_hunk(1)

        question = f"Reject {safe_name(f.path)} hunk {hunk}: why?"
        from .reason import ReasonScreen

        self.app.push_screen(ReasonScreen(question, value=old), done)

    def _decide_file(self, accept: bool) -> None:
        f = self.file
        if f is None:
            return
        if f.failure is not None:
            self.notify(f"{safe_name(f.path)} cannot be applied", severity="warning")
            return
        now, kept = decide_undecided(f, accept=accept)
        self._decided()
        verb = "accepted" if accept else "rejected"
        if not now:
            self.notify(f"no undecided hunk left in {safe_name(f.path)}; y or x changes one")
            return
        said = f"{verb} {now} undecided hunk{'s' * (now != 1)} of {safe_name(f.path)}"
        if kept:
            said += f"; {kept} already decided, unchanged"
        self.notify(said)

    def action_accept_file(self) -> None:
        self._decide_file(True)

    def action_reject_file(self) -> None:
        self._decide_file(False)

    def _decide_all(self, accept: bool) -> None:
        now, files, kept = decide_all_undecided(self.state.files, accept=accept)
        self._refresh_all()
        if not now:
            self.notify("no undecided hunk left in any file; y or x changes one")
            return
        verb = "accepted" if accept else "rejected"
        said = f"{verb} {now} undecided hunk{'s' * (now != 1)} in {files} file{'s' * (files != 1)}"
        if kept:
            said += f"; {kept} already decided, unchanged"
        self.notify(said)

    def action_accept_all(self) -> None:
        self._decide_all(True)

    def action_reject_all(self) -> None:
        self._decide_all(False)

    def action_split_hunk(self, lines: bool = False) -> None:
        """Split the hunk on screen at its context gaps (``S``) or into its single changed
        lines (``L``), so that y and x decide each part; what is not accepted is not written."""
        current = self._current()
        if current is None:
            return
        f, hunk = current
        try:
            pieces = self.state.split(f.path, hunk, lines=lines)
        except AssistantError as exc:
            self.notify(str(exc), title="cannot split", severity="warning")
            return
        if pieces < 2:
            what = "one changed line" if lines else "no unchanged line between two changes"
            self.notify(f"hunk {hunk} has {what}; nothing to split")
            return
        self.diff.show(f, hunk=hunk)
        self._refresh_all()
        into = "lines" if lines else "hunks"
        self.notify(f"hunk {hunk} split into {pieces} {into}: {hunk} to {hunk + pieces - 1}")

    def action_edit(self) -> None:
        current = self._current()
        if current is None:
            return
        f, hunk = current
        review = f.hunk(hunk)
        if review.failure is not None and f.failure is None and f.plan.original is not None:
            self._fix_failed(f, hunk)
            return
        if review.failure is not None or review.state == HunkState.APPLIED:
            self.notify(f"hunk {hunk} is {review.state}; it cannot be edited", severity="warning")
            return
        new_lines = self._run_editor(f.path, review.new_lines)
        if new_lines is None:
            return
        edit_hunk(f, hunk, new_lines)
        review.state = HunkState.ACCEPTED
        self.diff.show(f, hunk=hunk)
        if self.search:
            self._count_matches()
        self._decided()
        self.notify(f"hunk {hunk} edited and accepted")

    def _fix_failed(self, f: FileReview, hunk: int) -> None:
        """A failed hunk, edited by hand into place (FixHunkScreen); placed, it is undecided."""

        def done(placed: bool | None) -> None:
            if not placed:
                return
            self.diff.show(f, hunk=hunk)
            self._refresh_all()
            self.notify(f"hunk {hunk} placed at line {f.hunk(hunk).old_start}; y accepts it")

        from .fix_hunk import FixHunkScreen

        self.app.push_screen(FixHunkScreen(f, hunk), done)

    def _run_editor(self, path: str, lines: tuple[str, ...]) -> list[str] | None:
        import shlex
        import subprocess
        import tempfile

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        suffix = Path(path).suffix
        with tempfile.TemporaryDirectory(prefix="tome-edit-") as tmp:
            target = Path(tmp) / f"hunk{suffix}"
            target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            command = [*shlex.split(editor), str(target)]
            try:
                with self.app.suspend():
                    done = subprocess.run(command, check=False)
            except SuspendNotSupported:  # headless (tests): no terminal to hand over
                done = subprocess.run(command, check=False, capture_output=True)
            except OSError as exc:
                self.notify(f"cannot run {editor!r}: {exc}", severity="error")
                return None
            if done.returncode != 0:
                self.notify(f"{editor} exited with {done.returncode}; hunk unchanged")
                return None
            return target.read_text(encoding="utf-8").splitlines()

    # -- writing ----------------------------------------------------------------------------

    def action_apply(self) -> None:
        if self.query_one(FileList).has_focus:
            self.set_focus(self.diff)  # now: the keys after Enter act on the diff
            return
        changes, keys = self.state.changes()
        hunks = sum(1 for _, i in keys if i)
        if not keys:
            self.notify("no accepted hunks to apply: accept some with y or a", severity="warning")
            return
        question = f"Apply {hunks} accepted hunk{'s' * (hunks != 1)} to {len(changes)} file" + (
            "s?" if len(changes) != 1 else "?"
        )
        question += self._config_note()
        self.app.push_screen(ConfirmScreen(question, yes="Apply"), self._apply_confirmed)

    def _config_note(self) -> str:
        """The config edits an apply would write, to add to the question that asks for it."""
        flagged = [r for f in self.state.files if f.changes and (r := file_config_edit(f))]
        if not flagged:
            return ""
        return "\nIncluding config edits (they steer later runs):\n" + "\n".join(flagged[:8])

    def _apply_confirmed(self, yes: bool | None) -> None:
        if yes:
            self._apply_now()

    def _apply_now(self) -> bool:
        """Write the accepted hunks; False when nothing was written (the error is shown)."""
        try:
            with self._warnings_shown():
                paths = self.state.apply()
        except AssistantError as exc:
            self.notify(str(exc), title="nothing was written", severity="error", timeout=8)
            self._refresh_all()
            return False
        self.notify(f"applied to {len(paths)} file{'s' * (len(paths) != 1)}; u undoes")
        self._refresh_all()
        self.post_message(self.Applied(self.state, paths))
        return True

    @contextmanager
    def _warnings_shown(self) -> Iterator[None]:
        """What the library warns about meanwhile (a journal it ignored) as toasts: in the
        terminal UI stderr is not on screen."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            finally:
                for warning in caught:
                    self.notify(str(warning.message), title="tome", severity="warning", timeout=10)

    def action_undo(self) -> None:
        try:
            with self._warnings_shown():
                restored = self.state.undo()
        except AssistantError as exc:
            self.notify(str(exc), title="cannot undo", severity="error", timeout=8)
            return
        if not restored:
            self.notify("nothing to undo", severity="warning")
            return
        self.notify(f"undone: {', '.join(map(safe_name, restored))}")
        self._refresh_all()

    def action_commit(self) -> None:
        paths = self.state.applied_paths()
        if not paths:
            self.notify("nothing applied yet: apply with Enter first", severity="warning")
            return
        n = len(paths)
        shown = "\n".join(map(safe_name, paths[:8]))
        question = f"Commit the {n} applied file{'s' * (n != 1)}?\n{shown}"
        self.app.push_screen(ConfirmScreen(question, yes="Commit"), self._commit_confirmed)

    def _commit_confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        try:
            sha = self.state.commit()
        except AssistantError as exc:
            self.notify(str(exc), title="not committed", severity="error", timeout=8)
            return
        self.notify(f"committed {sha[:10]}")

    def action_send_back(self) -> None:
        rejected = self.state.rejected_with_reasons()
        if not rejected:
            self.notify("no rejected hunks to send back", severity="warning")
            return
        if self.state.session is None:
            self.notify("this review has no model session to send back to", severity="warning")
            return
        self.post_message(self.ResendRequested(self.state, rejected))

    def _refresh_all(self) -> None:
        """After hunks changed (split, placed, applied): every line, the title, the status
        and the search's count (hunks were renumbered)."""
        if self.search:
            self._count_matches()
        self.query_one(FileList).refresh_all()
        self.diff.refresh_states()
        self.query_one("#review-title", Static).update(self._title())
        self._status()
