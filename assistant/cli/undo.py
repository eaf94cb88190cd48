"""``tome undo [--session ID]``: revert the last apply byte for byte (or an interrupted one).

Without ``--session`` the last apply is reverted, whoever made it (``tome apply``, ``tome
ask --apply``, the TUI). With ``--session ID`` it must be that session's apply: applies are
undone newest first, so nothing applied later is lost. Undos of a session's apply are
recorded in the history. A commit made by the apply stays; the files revert as
uncommitted changes. Needs no backend and no key (:class:`assistant.history.History`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..display import safe_name
from ..history import revert
from ..repo import find_root
from ._common import add_root, root_of, whole_number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="restore even files changed since the apply"
    )
    parser.add_argument(
        "--session",
        type=whole_number("a session id", "12"),
        metavar="ID",
        help="undo this session's apply ('tome history')",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON report")
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    root = find_root(root_of(args) or Path.cwd())
    done = revert(root, args.session, force=args.force)
    if done is None:
        if args.json:
            print(json.dumps({"ok": False, "error": "nothing to undo"}))
        else:
            print("tome: nothing to undo", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"ok": True, "journal": done.journal, "restored": list(done.restored),
                          "removed": list(done.removed), "recovered": done.recovered,
                          "session": done.session_id}))  # fmt: skip
        return 0
    what = "rolled back the interrupted apply" if done.recovered else "reverted the last apply"
    if done.session_id is not None:
        what += f" of session {done.session_id}"
    for path in done.restored:
        print(f"restored {safe_name(path)}")
    for path in done.removed:
        print(f"removed {safe_name(path)}")
    print(f"{what} ({safe_name(done.journal)})")
    return 0
