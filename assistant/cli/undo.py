"""``tome undo [--session ID]``: revert the last apply byte for byte (or an interrupted one).

Without ``--session`` the last apply is reverted, whoever made it (``tome apply``, ``tome
ask --apply``, the TUI). With ``--session ID`` it must be that session's apply: applies are
undone newest first, so nothing applied later is lost. Undos of a session's apply are
recorded in the history. A commit made by the apply (``tome ask --apply --commit``) stays,
and the files revert as uncommitted changes: the report says so and how to drop it
(``git reset HEAD~1`` while it is the last commit), and ``--drop-commit`` drops it too
(:func:`assistant.repo.drop_commit`: only while it is the last commit, touching nothing
else staged). Needs no backend and no key (:class:`assistant.history.History`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..display import safe_name
from ..errors import GitError
from ..history import UndoRecord, revert
from ..repo import drop_commit, find_root, head_sha
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
    parser.add_argument(
        "--drop-commit",
        action="store_true",
        help="when the apply was committed (--commit), drop that commit too (while it is the "
        "last one)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON report")
    add_root(parser)


def _commit_note(root: Path, done: UndoRecord) -> str:
    """What became of the apply's commit, and how to drop it when it stays."""
    assert done.commit is not None
    sha = done.commit[:12]
    if head_sha(root) == done.commit:
        return (f"the commit {sha} the apply made remains (the files are reverted as "
                "uncommitted changes); to drop it too: git reset HEAD~1, or tome undo "
                "--drop-commit next time")  # fmt: skip
    return (f"the commit {sha} the apply made remains and is no longer the last commit; "
            "commit the reverted files to record the undo")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    root = find_root(root_of(args) or Path.cwd())
    done = revert(root, args.session, force=args.force)
    if done is None:
        if args.json:
            print(json.dumps({"ok": False, "error": "nothing to undo"}))
        else:
            print("tome: nothing to undo", file=sys.stderr)
        return 1
    dropped: str | None = None
    refusal = ""
    if done.commit and args.drop_commit:
        try:
            drop_commit(root, done.commit, (*done.restored, *done.removed))
            dropped = done.commit
        except GitError as exc:
            refusal = str(exc)
    if args.json:
        print(json.dumps({"ok": not refusal, "journal": done.journal,
                          "restored": list(done.restored), "removed": list(done.removed),
                          "recovered": done.recovered, "session": done.session_id,
                          "commit": done.commit, "commit_dropped": dropped is not None,
                          **({"error": refusal} if refusal else {})}))  # fmt: skip
        return 1 if refusal else 0
    what = "rolled back the interrupted apply" if done.recovered else "reverted the last apply"
    if done.session_id is not None:
        what += f" of session {done.session_id}"
    for path in done.restored:
        print(f"restored {safe_name(path)}")
    for path in done.removed:
        print(f"removed {safe_name(path)}")
    print(f"{what} ({safe_name(done.journal)})")
    if dropped:
        print(f"dropped the commit {dropped[:12]} the apply made (HEAD is its parent again)")
    elif done.commit:
        if refusal:
            print(f"tome: the files are reverted, the commit stays: {refusal}", file=sys.stderr)
            return 1
        print(_commit_note(root, done))
    return 0
