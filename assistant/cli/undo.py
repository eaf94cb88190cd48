"""``tome undo``: revert the last ``tome apply`` byte for byte (or an interrupted one)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import worktree
from .apply import find_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force", action="store_true", help="restore even files changed since the apply"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON report")
    parser.add_argument(
        "-C", "--root", type=Path, default=None, help="repository root (default: found from .)"
    )


def run(args: argparse.Namespace) -> int:
    root = (args.root or find_root(Path.cwd())).resolve()
    done = worktree.undo(root, force=args.force)
    if done is None:
        if args.json:
            print(json.dumps({"ok": False, "error": "nothing to undo"}))
        else:
            print("tome: nothing to undo", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"ok": True, "journal": done.journal, "restored": list(done.restored),
                          "removed": list(done.removed), "recovered": done.recovered}))  # fmt: skip
        return 0
    what = "rolled back the interrupted apply" if done.recovered else "reverted the last apply"
    for path in done.restored:
        print(f"restored {path}")
    for path in done.removed:
        print(f"removed {path}")
    print(f"{what} ({done.journal})")
    return 0
