"""The terminal UI, found as a plug-in, so that ``assistant`` never imports ``tui``.

The ``tui`` package registers itself under the entry-point group ``tome.ui`` (name
``terminal``, in ``pyproject.toml``); the three places the ``tome`` command opens it (bare
``tome``, ``tome review``, ``tome ask --review``) look it up here. The lookup reads the
installed metadata, a few milliseconds, and happens only when a UI is opened.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..history import Result
    from ..session import Assistant

GROUP = "tome.ui"


class TerminalUI(Protocol):
    """What the ``tome`` command needs of the terminal UI (``tui.app`` provides it)."""

    def run(self, root: Path | str | None = None) -> int: ...

    def run_review(
        self,
        root: Path | str,
        *,
        patch_text: str | None = None,
        result: Result | None = None,
        session_id: int | None = None,
        title: str | None = None,
        assistant: Assistant | None = None,
    ) -> int: ...


def terminal_ui() -> TerminalUI:
    """The installed terminal UI; a clear error when tome was installed without it."""
    found = entry_points(group=GROUP, name="terminal")
    if not found:
        raise ConfigError(
            "the terminal UI is not installed (no 'tome.ui' entry point); "
            "reinstall tome from its folder: python3 -m pip install ."
        )
    return cast(TerminalUI, next(iter(found)).load())
