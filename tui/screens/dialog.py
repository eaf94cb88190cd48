"""The base of tome's modal screens: a dialog over a screen, with its own key bar.

A modal screen is drawn over the one beneath, which shows through: its footer too, listing
keys that do nothing while the dialog is up (Review's ``y Accept`` under the help, the
reason box, the fix-a-hunk editor). Every dialog mounts a footer of its own over it, so the
bottom row lists the keys that act now (``esc Close``, ``^s Place``).
"""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType

from ..widgets.footer import Footer


class Dialog(ModalScreen[ScreenResultType]):
    """A :class:`ModalScreen` whose footer shows its own keys, not the screen's beneath."""

    def on_mount(self) -> None:
        self.mount(Footer(show_command_palette=False))
