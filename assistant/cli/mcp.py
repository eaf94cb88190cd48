"""``tome mcp``: serve tome's tools over the Model Context Protocol on stdio
(:mod:`assistant.mcp`): ``pack``, ``rank_files``, ``apply_edits``, ``undo``, ``history``.

An agent starts it as a subprocess (``tome mcp``) and names the repository in each call
(``root``). ``--only DIR`` (repeatable) serves only repositories under DIR, ``-C DIR`` only
the repository at DIR: the user's choice, so an agent cannot reach other folders of the
machine. Stdout is the protocol's:
nothing else is printed on it. The SDK is imported here, when the server starts, never by
another command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._common import add_root, root_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="serve only repositories under DIR (repeatable; default: any the agent names)",
    )
    add_root(parser, help="serve only the repository at DIR (as --only DIR)")


def run(args: argparse.Namespace) -> int:
    only = [*args.only, *filter(None, [root_of(args)])]
    for folder in only:
        if not folder.expanduser().is_dir():
            print(f"tome: --only {folder}: not a folder", file=sys.stderr)
            return 2
    from ..mcp.server import serve

    serve(only)
    return 0
