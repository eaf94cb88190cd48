"""``tome review [PATCH | --session ID]``: review edits hunk by hunk in the terminal UI.

A patch file in any supported format is located against the repository root (found from
the current folder, or from ``-C DIR``; the patch's paths are the root's); applying there
goes through ``assistant.worktree`` with the same safety as ``tome apply``. Without a
patch, the last session (or ``--session ID``) is reviewed again.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..edits.parse import decode_patch
from ..errors import ConfigError
from ..repo import find_root
from ._common import add_root, root_of, whole_number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patch", metavar="PATCH", nargs="?", help="file holding the edit")
    parser.add_argument(
        "--session",
        metavar="ID",
        type=whole_number("a session id", "12"),
        help="review a past session again",
    )
    add_root(parser)


def _check_has_edits(root: Path, session_id: int) -> None:
    """Refuse, before the UI opens, to review a session of ask mode: it has no edits."""
    from ..history import History
    from ..session import NO_EDITS

    result = History(root).load(session_id)
    if result.edit_format == NO_EDITS:
        raise ConfigError(
            f"session {session_id} asked a question (tome ask --no-edits): it has no edits to "
            "review; read its answer with 'tome history', or ask for edits without --no-edits"
        )


def run(args: argparse.Namespace) -> int:
    if args.patch and args.session:
        raise ConfigError("give a PATCH or --session ID, not both")
    if args.patch == "-":
        raise ConfigError("the review reads keys from the terminal; save the patch to a file")
    if args.session is not None:
        _check_has_edits(find_root(root_of(args) or Path.cwd()), args.session)
    from ._ui import terminal_ui

    run_review = terminal_ui("tome review", "'tome apply --check PATCH'").run_review
    root = root_of(args) or Path.cwd()  # the UI finds the repository root (one git call)

    if args.patch:
        path = Path(args.patch)
        try:
            text = decode_patch(path.read_bytes(), args.patch)
        except OSError as exc:
            raise ConfigError(f"cannot read {args.patch}: {exc.strerror}") from exc
        return run_review(root, patch_text=text, title=path.name)
    return run_review(root, session_id=args.session)
