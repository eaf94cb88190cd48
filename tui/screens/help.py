"""The keys, one screen: ``?`` (or ctrl+g, which no text box takes) opens it; Escape, ``?``
or ``q`` closes it.

What it lists is read from the screens' own ``BINDINGS`` and shown as the footer shows a
key (``App.get_key_display``), so the help, the footer and what a key does cannot drift
apart: a binding renamed in a screen is renamed here. The prose for an action (longer than
the footer's label) is looked up by action name; an action without prose shows its label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ..widgets.file_list import legend
from .dialog import Dialog

if TYPE_CHECKING:
    from textual.dom import DOMNode

# Longer words for an action than its footer label, by action (as bound).
PROSE: dict[str, str] = {
    "line(1)": "next line",
    "line(-1)": "previous line",
    "page(1)": "next page",
    "page(-1)": "previous page",
    "hunk(1)": "next hunk, across files (a search: the next match)",
    "hunk(-1)": "previous hunk (across files)",
    "file(1)": "next file",
    "file(-1)": "previous file",
    "accept": "accept the hunk",
    "reject": "reject the hunk",
    "reject_with_reason": "reject with a reason (sent back to the model)",
    "accept_file": "accept the file's undecided hunks (decided ones stay)",
    "reject_file": "reject the file's undecided hunks (decided ones stay)",
    "accept_all": "accept the undecided hunks of all files",
    "reject_all": "reject the undecided hunks of all files",
    "split_hunk": "split the hunk at its unchanged lines (git add -p's s)",
    "split_hunk(True)": "split the hunk into single lines (stage some)",
    "find('search')": "search the diff (n, N: next, previous match)",
    "match(-1)": "previous match of the search (else previous hunk)",
    "find('filter')": "filter the file list by path",
    "escape": "clear the search, then the filter, then back",
    "edit": "edit the hunk in $EDITOR; a failed one: fix it here",
    "toggle_split": "columns: side by side (old | new) / unified",
    "explain": "the model's explanation: show / hide (narrow: overlay)",
    "apply": "apply the accepted hunks (asks first)",
    "undo": "undo the last apply",
    "commit": "commit the applied files",
    "send_back": "send rejected hunks back to the model (a session only)",
    "checks": "the checks of each round and their output",
    "toggle_whole": "the command's output: the trimmed part (as sent) / whole",
    "move(1)": "next command",
    "move(-1)": "previous command",
    "switch_pane": "file list ⇄ diff",
    "toggle_ask": "ask mode on / off: a question, the answer explains and proposes no edits",
    "new_session": "drop the follow-up: the next send starts a new session",
    "back": "back (quit on the first screen)",
    "help": "this help",
    "app.help": "this help",
    "quit": "quit tome",
    "app.quit": "quit tome",
    "send": "send the task",
    "next_backend": "next backend",
    "next_reasoning": "next reasoning level",
    "toggle_reasoning": "the reasoning: show / hide",
    "recount": "recount the pack (plans the task, if written)",
    "history": "past sessions",
    "options": "send options: verify (tests and lint in a scratch worktree), repair rounds, "
    "git context (diff, since, log)",
    "use": "use these options",
    "toggle_include": "include / exclude the file or folder under the cursor",
    "cancel": "cancel the request (back, once it is done)",
    "open": "review the session again",
    "reload": "reload the list",
}

# What is not a binding but a reader needs, by section: ("keys", "what") rows.
NOTES: dict[str, tuple[tuple[str, str], ...]] = {
    "Review": (
        *((mark, f"in the file list: {meaning}") for mark, meaning in legend()),
        (
            "~",
            "in a hunk header: placed by a tolerance, not an exact match (the note "
            "under it says what was tolerated)",
        ),
    ),
    "Compose": (("tab, shift+tab", "next / previous box: files, backend, task"),),
}


def _sections() -> list[tuple[str, list[type[DOMNode]]]]:
    """Each section of the help and the classes whose bindings it lists (the screen, then
    widgets of it with keys of their own). Imported here: the screens import nothing back."""
    from ..app import TomeApp
    from ..widgets.file_tree import FileTree
    from .checks import ChecksScreen
    from .compose import ComposeScreen
    from .confirm import ConfirmScreen
    from .explain import ExplainScreen
    from .history import HistoryScreen
    from .options import OptionsScreen
    from .reason import ReasonScreen
    from .review import ReviewScreen
    from .stream import StreamScreen

    return [
        ("Everywhere", [TomeApp]),
        ("Review", [ReviewScreen]),
        ("Compose", [ComposeScreen, FileTree]),
        ("Stream", [StreamScreen]),
        ("History", [HistoryScreen]),
        ("Send options (f2 in Compose)", [OptionsScreen]),
        ("A question (apply, commit)", [ConfirmScreen]),
        ("A reason (reject with a reason)", [ReasonScreen]),
        ("The explanation (w in Review, narrow terminal)", [ExplainScreen]),
        ("Checks (C in Review)", [ChecksScreen]),
        ("This help", [HelpScreen]),
    ]


def bindings_of(owner: type[DOMNode]) -> list[Binding]:
    """``owner``'s own bindings as declared (one per line, a comma list kept together); a key
    bound twice (one action enabled at a time, as Stream's escape) is listed once, first."""
    found = [b if isinstance(b, Binding) else Binding(*b) for b in owner.BINDINGS]
    return [b for i, b in enumerate(found) if b.key not in {a.key for a in found[:i]}]


def key_rows(
    bindings: Iterable[Binding], display: Callable[[Binding], str]
) -> list[tuple[str, str]]:
    """``(keys, what they do)`` per binding: each key as ``display`` (the footer's) shows it."""
    rows: list[tuple[str, str]] = []
    for binding in bindings:
        keys = [display(Binding(key.strip(), binding.action)) for key in binding.key.split(",")]
        rows.append((", ".join(keys), PROSE.get(binding.action, binding.description.lower())))
    return rows


def help_sections(
    display: Callable[[Binding], str], first: type[DOMNode] | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every section of the help: its title and its ``(keys, what they do)`` rows; the
    section of ``first`` (the screen help was opened on) comes first."""
    sections = _sections()
    sections.sort(key=lambda section: first not in section[1])  # stable: the rest keep order
    return [
        (title, [row for owner in owners for row in key_rows(bindings_of(owner), display)])
        for title, owners in sections
    ]


def help_text(display: Callable[[Binding], str], first: type[DOMNode] | None = None) -> Content:
    """The help as plain content (descriptions are never markup)."""
    parts: list[str | tuple[str, str]] = []
    for title, rows in help_sections(display, first):
        parts.append((title, "bold"))
        parts.append("\n")
        width = max((len(keys) for keys, _ in rows), default=0)
        for keys, what in rows:
            parts.append(f"  {keys.ljust(max(width, 14))}  {what}\n")
        for keys, what in NOTES.get(title, ()):
            parts.append(f"  {keys.ljust(max(width, 14))}  {what}\n")
        parts.append("\n")
    return Content.assemble(*parts)


def help_table(display: Callable[[Binding], str], first: type[DOMNode] | None = None) -> Group:
    """The help as two columns per section: keys, then what they do, a long description
    wrapping in its own column (as plain text, :func:`help_text`, it wrapped back under
    the keys at 80 columns)."""
    parts: list[RenderableType] = []
    for title, rows in help_sections(display, first):
        parts.append(Text(title, style="bold"))
        grid = Table.grid(padding=(0, 2), pad_edge=False)
        grid.add_column(no_wrap=True, min_width=14)
        grid.add_column(ratio=1)
        for keys, what in rows:
            grid.add_row(Text("  " + keys), Text(what))
        for keys, what in NOTES.get(title, ()):  # a row like the others
            grid.add_row(Text("  " + keys), Text(what))
        parts.extend((grid, Text("")))
    return Group(*parts)


class HelpScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss_help", "Close", priority=True)
    ]

    def __init__(self, first: type[DOMNode] | None = None) -> None:
        super().__init__()
        self.first = first  # the screen beneath: its keys are listed first

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(help_table(self.app.get_key_display, self.first), id="keys")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
