"""The key bar: Textual's footer, rebuilt only when the keys it shows change, and compact
under 100 columns (less space between keys, no palette key) so that at 80 columns the keys
a screen shows all fit, ``? Help`` and ``q Back`` last among them."""

from __future__ import annotations

from collections.abc import Hashable

from textual import events
from textual.widgets import Footer as TextualFooter

NARROW = 100
"""Below this width the footer is compact and drops the palette key."""


class Footer(TextualFooter):
    """Textual's ``Footer``, skipping rebuilds that would show the same keys.

    Textual's footer recomposes (new key widgets, then a layout of the whole screen) each
    time it hears the bindings may have changed: three times as the Review screen opens,
    where one would do, each ~10 ms plus a full repaint. This one remembers what it showed.
    """

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__(show_command_palette=show_command_palette)
        self._shown: Hashable = None
        self._palette = show_command_palette

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        palette = self._palette and not narrow  # ^p still works; the help lists it
        if self.compact != narrow or self.show_command_palette != palette:
            self.compact = narrow
            self.show_command_palette = palette

    def _showing(self) -> Hashable:
        """What ``compose`` would show: each active binding's key, label and state."""
        if not self._bindings_ready or not self.is_attached:
            return None
        keys = tuple(
            (b.key, b.action, b.description, b.show, b.group, enabled, tooltip)
            for _, b, enabled, tooltip in self.screen.active_bindings.values()
        )
        return keys, self.compact, self.show_command_palette

    async def recompose(self) -> None:
        if not self.is_attached:
            return  # the screen is going: nothing to show keys for
        showing = self._showing()
        if showing is not None and showing == self._shown:
            return
        self._shown = showing
        await super().recompose()
