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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..packing import GitOptions

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


# --- option values ---------------------------------------------------------------------------
# argparse's own message for a bad value names the converter (``invalid _tokens value``):
# each converter here says instead what was given, what is accepted, and an example.

_TOKEN_SCALE = {"k": 1_000, "m": 1_000_000}
_BYTE_SCALE = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def _bad(text: str, what: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"{text!r} is not {what}")


def token_count(text: str) -> int:
    """``200k``, ``1m``, ``1.5m``, ``150,000`` or ``150_000``: a positive number of tokens."""
    what = "a token count: give a whole number, optionally with k or m (e.g. 200k, 1m, 150000)"
    raw = text.strip().lower().replace(",", "").replace("_", "")
    try:
        value = (
            float(raw[:-1]) * _TOKEN_SCALE[raw[-1]] if raw and raw[-1] in _TOKEN_SCALE else int(raw)
        )
    except (ValueError, OverflowError):
        raise _bad(text, what) from None
    if not 0 < value < 1e15:
        raise _bad(text, what.replace("a whole number", "a positive whole number"))
    return int(value)


def byte_size(text: str) -> int:
    """``1MiB``, ``512K``, ``2m``, ``1.5MB`` or ``1048576``: a size in bytes (1K = 1024)."""
    what = "a size: give bytes, optionally with K, M or G (e.g. 512K, 1MiB, 2M, 1048576)"
    raw = text.strip().lower().removesuffix("b").removesuffix("i")
    try:
        value = (
            float(raw[:-1]) * _BYTE_SCALE[raw[-1]] if raw and raw[-1] in _BYTE_SCALE else int(raw)
        )
    except (ValueError, OverflowError):
        raise _bad(text, what) from None
    if not 0 <= value < 1 << 60:
        raise _bad(text, what.replace("give bytes", "give a size of 0 or more bytes"))
    return int(value)


def whole_number(what: str, example: str) -> Callable[[str], int]:
    """A converter for a count or an id of 0 or more: ``what`` names it in the message
    (``"a session id"``), ``example`` shows one."""

    def convert(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = -1
        if value < 0:
            raise _bad(text, f"{what}: give a whole number (e.g. {example})")
        return value

    convert.__name__ = what
    return convert


def days(text: str) -> float:
    """A number of days, fractions allowed (``7``, ``0.5``)."""
    try:
        value = float(text.strip())
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e6:  # also refuses nan and inf
        raise _bad(text, "a number of days: give a number of 0 or more (e.g. 30, 0.5)")
    return value


def add_git_context(
    parser: argparse.ArgumentParser, diff: Sequence[str] = ("--diff", "--git-diff")
) -> None:
    """``--diff``, ``--since REF``, ``--log N``: git sections after the files. ``tome ask``
    spells the first ``--git-diff`` only (its ``--diff`` prints the diff of the edits)."""
    group = parser.add_argument_group("git context (sections after the files)")
    group.add_argument(
        *diff,
        dest="git_diff",
        action="store_true",
        help="add the uncommitted changes (staged and unstaged)",
    )
    group.add_argument(
        "--since",
        metavar="REF",
        help="the files changed since REF first, whole, and the diff since REF",
    )
    group.add_argument(
        "--log", type=int, default=0, metavar="N", help="the last N commit subjects of the files"
    )


def git_options(args: argparse.Namespace) -> GitOptions:
    """The :class:`~assistant.packing.GitOptions` that :func:`add_git_context` parsed."""
    from ..packing import GitOptions

    if args.log < 0:
        raise ConfigError(f"--log needs a number of commits, 0 or more, not {args.log}")
    return GitOptions(diff=args.git_diff, since=args.since, log=args.log)
