"""The terminal UI, found as a plug-in, so that ``assistant`` never imports ``tui``.

The ``tui`` package registers itself under the entry-point group ``tome.ui`` (name
``terminal``, in ``pyproject.toml``); the three places the ``tome`` command opens it (bare
``tome``, ``tome review``, ``tome ask --review``) look it up here. The lookup reads tome's own
installed metadata first (a fraction of a millisecond), and every installed package's only
when tome's names no UI (15 ms and more: it is on the way to the first screen); it happens
only when a UI is opened.

A terminal UI needs a terminal on both ends: keys from stdin, drawing to stdout. Without
one (``tome < /dev/null``, ``tome | less``, a script, CI) Textual writes escape codes into a
pipe and waits for keys that never come, at full CPU. :func:`require_terminal` is the one
check; :func:`terminal_ui` makes it, so every entry (bare ``tome``, ``tome review``,
``tome ask --review``) refuses the same way, before any drawing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.metadata import (
    EntryPoint,
    EntryPoints,
    PackageNotFoundError,
    distribution,
    entry_points,
)
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..history import Result
    from ..session import Assistant

GROUP = "tome.ui"


class TerminalUI(Protocol):
    """What the ``tome`` command needs of the terminal UI (``tui.app`` provides it)."""

    def run(
        self,
        root: Path | str | None = None,
        *,
        backend: str | None = None,
        base_url: str | None = None,
        model: str | None = None,
    ) -> int: ...

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


def not_terminals() -> list[str]:
    """Which of stdin and stdout are not terminals (empty: a UI can run)."""
    ends = (("stdin", sys.stdin), ("stdout", sys.stdout))
    return [name for name, stream in ends if stream is None or not stream.isatty()]


def require_terminal(
    what: str = "the terminal UI", instead: str = "'tome ask --print' or 'tome apply'"
) -> None:
    """Refuse (a ``ConfigError``) unless stdin and stdout are terminals, saying what to use."""
    if missing := not_terminals():
        said = " and ".join(missing) + (" is not a terminal" if len(missing) == 1 else " are not")
        raise ConfigError(f"{what} needs a terminal ({said}); in scripts use {instead}")


def installed_uis() -> Sequence[EntryPoint]:
    """The ``terminal`` entry points of the ``tome.ui`` group: tome's own, else any
    installed package's (the full scan reads every package's metadata)."""
    try:
        own = distribution("tome").entry_points.select(group=GROUP, name="terminal")
    except PackageNotFoundError:  # not installed as 'tome' (a source tree on the path)
        own = EntryPoints(())
    return tuple(own) or tuple(entry_points(group=GROUP, name="terminal"))


def terminal_ui(what: str = "the terminal UI", instead: str | None = None) -> TerminalUI:
    """The installed terminal UI, once :func:`require_terminal` passes (``instead``: what to
    use in scripts); a clear error when tome was installed without it."""
    require_terminal(what, *(() if instead is None else (instead,)))
    found = installed_uis()
    if not found:
        raise ConfigError(
            "the terminal UI is not installed (no 'tome.ui' entry point); "
            "reinstall tome from its folder: python3 -m pip install ."
        )
    return cast(TerminalUI, next(iter(found)).load())
