"""The keys, one screen: ``?`` opens it, any of Escape, ``?`` or ``q`` closes it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = """\
[b]Review[/b]
  j / k, ↓ / ↑    next / previous line
  n / p           next / previous hunk (across files)
  [ / ]           previous / next file
  y, space        accept the hunk           x   reject the hunk
  X               reject with a reason (sent back to the model)
  a / r           accept / reject the whole file
  e               edit the hunk in $EDITOR
  d               unified / side by side
  Enter           apply the accepted hunks (asks first)
  u               undo the last apply       c   commit the applied files
  s               send rejected hunks back to the model (a session only)
  tab             file list ⇄ diff          q   back / quit
  ~               a hunk placed by a tolerance, not an exact match:
                  the note under its header says what was tolerated

[b]Compose[/b]
  space           include / exclude the file or folder under the cursor
  ctrl+s          send the task             ctrl+b  next backend
  ctrl+r          recount the pack          h       history

[b]Stream[/b]
  escape          cancel the request

[b]History[/b]
  enter           review the session again
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss_help", "Close", priority=True)
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(KEYS, id="keys")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
