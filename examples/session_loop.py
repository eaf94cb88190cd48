"""The whole loop from a script: ask, accept some hunks, apply, commit, look at history, undo.

Run against any OpenAI-compatible server (or a configured --backend):
    python3 examples/session_loop.py "rename greet to welcome" --repo path/to/git/repo \\
        --base-url http://127.0.0.1:8000/v1 --model my-model [--commit] [--undo]

Hunks are accepted unless they touch a file named with --skip. The apply is journaled
(``tome undo`` reverts it) and recorded in ``.tome/history.db`` with every hunk's decision.
"""

from __future__ import annotations

import argparse
import sys

from assistant.config import load_settings
from assistant.model import resolve_backend
from assistant.session import Assistant


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task")
    parser.add_argument("--repo", default=".")
    parser.add_argument("--backend")
    parser.add_argument("--base-url")
    parser.add_argument("--model")
    parser.add_argument("--skip", action="append", default=[], help="reject edits of this file")
    parser.add_argument("--commit", action="store_true")
    parser.add_argument("--undo", action="store_true")
    args = parser.parse_args()

    settings = load_settings(project=args.repo)
    backend = resolve_backend(settings, name=args.backend, base_url=args.base_url,
                              model=args.model)  # fmt: skip
    session = Assistant.open(args.repo, backend=backend, settings=settings)
    plan = session.plan(args.task)
    print(f"prompt: {plan.prompt_tokens:,} tokens, {len(plan.pack.files)} files")
    result = session.ask(args.task)
    print(f"session {result.session_id}: {len(result.changeset)} file(s) changed")
    for f in result.changeset:
        if f.path in args.skip:
            f.reject()
        else:
            f.accept()
        print(f"  {f.path}: {[str(h.state) for h in f.hunks]}")
    record = session.apply(result, commit=args.commit)
    print(f"applied: {', '.join(record.paths)}")
    if record.commit:
        print(f"commit: {record.commit}")
    for s in session.history(limit=3):
        print(f"history: #{s.session_id} {s.status} {s.task!r}")
    if args.undo:
        undone = session.undo(result.session_id)
        print(f"undone: {', '.join(undone.restored)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
