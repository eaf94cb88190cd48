"""Apply a saved model answer to a repository, then (optionally) undo it.

Run:
    python3 examples/apply_answer.py ANSWER.md --repo path/to/repo [--check] [--undo]

ANSWER.md is a model's answer in any format tome reads (SEARCH/REPLACE blocks, unified
diffs, ``*** Begin Patch``, whole files). Every hunk is located first; if one fails, nothing
is written. The write is journaled: --undo reverts it byte for byte right after, to show
the round trip. No model, no key, no network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant import worktree
from assistant.edits import Changeset, parse_edits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answer", type=Path)
    parser.add_argument("--repo", type=Path, default=Path("."))
    parser.add_argument("--check", action="store_true", help="locate every hunk, write nothing")
    parser.add_argument("--undo", action="store_true", help="revert the apply afterwards")
    args = parser.parse_args()

    edits = parse_edits(args.answer.read_text())
    paths = {p for e in edits for p in (e.path, e.move_to) if p}
    files = worktree.read_texts(args.repo, paths)
    changes = Changeset.from_edits(files, edits)
    if changes.failures:
        for failure in changes.failures:
            print(failure.describe(), file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 1
    changes.accept_all()
    done = worktree.apply_changes(args.repo, changes.result(), check=args.check)
    for f in changes:
        print(f"{f.path}: +{f.added} -{f.removed}")
    if args.check:
        print("check only: nothing was written")
        return 0
    print(f"applied (journal {done.journal})")
    if args.undo:
        undone = worktree.undo(args.repo)
        assert undone is not None
        restored = ", ".join(undone.restored) or "nothing"
        removed = ", ".join(undone.removed) or "nothing"  # the files the apply created
        print(f"undone: restored {restored}; removed {removed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
