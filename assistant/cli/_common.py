"""Options every subcommand shares, spelled once.

``-C/--root`` names the folder a command works in (any folder of the repository: the
command finds its root). It is one option on every command and on the bare ``tome``.
``--path`` was its name in ``ask`` and ``models`` until 0.x; it stays as a hidden alias for
one release and says so when used.

The subcommand options default to "not given" (``argparse.SUPPRESS``) so that a
``-C`` before the subcommand (``tome -C repo ask ...``) is not overwritten by the
subcommand's own default; the top-level parser gives ``root = None``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT_HELP = "a folder in the repository (default: .); its root is used"
OLD_ROOT_SPELLINGS = ("--path",)
"""Former spellings of ``--root``, accepted for one release (removed in the next)."""


class _OldSpelling(argparse.Action):
    """``--path DIR``: the same as ``--root DIR``, with a one-line note on stderr."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        print(
            f"tome: note: {option_string} is now -C/--root; {option_string} goes in the next "
            "release",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, values)


def add_root(parser: argparse.ArgumentParser, *, help: str = ROOT_HELP) -> None:
    """Add ``-C/--root DIR`` (and its hidden former spellings) to ``parser``."""
    parser.add_argument(
        "-C", "--root", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=help
    )
    for old in OLD_ROOT_SPELLINGS:
        parser.add_argument(
            old,
            dest="root",
            type=Path,
            default=argparse.SUPPRESS,
            action=_OldSpelling,
            metavar="DIR",
            help=argparse.SUPPRESS,
        )


def add_format(parser: argparse.ArgumentParser) -> None:
    """Add ``--format xml|markdown``: how the pack lays out the files (``pack`` and ``ask``)."""
    parser.add_argument(
        "--format",
        choices=("xml", "markdown"),
        default="xml",
        help="how files are laid out: <file path=...> tags (xml, the default) or "
        "language-tagged fenced blocks (markdown)",
    )


def root_of(args: argparse.Namespace, default: Path | None = None) -> Path | None:
    """The ``-C/--root`` given, wherever on the command line, else ``default``."""
    root = getattr(args, "root", None)
    return default if root is None else Path(root)
