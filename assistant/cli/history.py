"""``tome history``: past sessions, newest first, and the size of the history database.

``--json`` prints one JSON document. ``--prune --keep N`` keeps the newest N requests,
``--prune --older-than DAYS`` drops requests older than that (both may be given); a
request's repair rounds are kept or dropped with it (:meth:`assistant.store.Store.prune`),
and the space is given back to the disk. The database size is always printed, so growth is never
silent. Needs no backend and no key (:class:`assistant.history.History` only).

The status column says what became of each session (:mod:`assistant.history.status`):
``answered``, ``truncated``, ``cancelled``, ``failed`` or ``declined`` (said no at the
``--apply`` prompt) while nothing is applied; then, from its applies, ``applied``,
``committed``, ``partly undone`` (some applies undone, some standing) or ``undone``.
``--json`` lists every apply of a session with its own state.

The tokens column is the pack's (``pack 122,242 tok``): the figure ``tome ask`` prints as
``pack 122,242 tokens`` before sending; its prompt adds the system message and the chat
framing to it (``prompt 122,540 tokens``).

A request that took repair rounds (:mod:`assistant.rounds`) is one row (its first round's
session; its status the taken round's, the one the loop gave; its cost the sum of its
rounds', each paid for), then one indented line per round: the session,
its status, the usage as billed (prompt tokens, of them cached, output tokens, cost), what
the round did (hunks fixed, hunks that did not place, the checks) and which round the loop
gave. ``--limit`` counts requests, so a request's rounds are never cut off. ``--json`` nests
the rounds in their request (``rounds``, with ``stopped``). Follow-ups (``--continue``) and
send-backs are requests of their own (``↳ #parent``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from ..display import safe_name
from ..history import History, RoundSummary, SessionSummary
from ..repo import find_root
from ..store import Pruned
from ._common import add_root, days, root_of, whole_number

DAY = 86_400.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "-n",
        "--limit",
        type=whole_number("a number of requests", "20"),
        default=50,
        help="requests to list (50; a request's repair rounds are listed under it)",
    )
    parser.add_argument("--prune", action="store_true", help="delete old sessions")
    parser.add_argument(
        "--keep",
        type=whole_number("a number of requests", "10"),
        metavar="N",
        help="with --prune: keep the newest N requests (with their repair rounds)",
    )
    parser.add_argument(
        "--older-than", type=days, metavar="DAYS", help="with --prune: drop requests older"
    )
    add_root(parser)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    value = n / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"


def _row(cells: tuple[str, ...]) -> str:
    """One line of the table: the same widths for the header and every session."""
    sid, when, status, files, tokens, cost, backend, task = cells
    return (
        f"{sid:>5}  {when:<16}  {status:<13}  {files:>8}  {tokens:>18}  {cost:>8}  "
        f"{backend}  {task}"
    ).rstrip()


HEADER = _row(("id", "when", "status", "files", "tokens", "cost", "backend", "task"))


def _files(n: int) -> str:
    """``1 file``, ``3 files``: the files column of a request and of a round."""
    return f"{n} file{'s' * (n != 1)}"


def _round_line(r: RoundSummary) -> str:
    """One round under its request, in the TUI History's order (status, files, tokens,
    cost, what it did): ``round 2  #13  applied  2 files  prompt 1,400 tok (1,234 cached)
    · 52 out · $0.0003 · 1 fixed, checks passed · taken``."""
    said = r.did
    usage = "no usage" if r.prompt_tokens is None else (
        f"prompt {r.prompt_tokens:,} tok ({r.cached_tokens or 0:,} cached) · "
        f"{r.output_tokens or 0:,} out"
    )  # fmt: skip
    cost = f"${r.cost:.4f}" if r.cost is not None else "-"
    parts = [usage, cost, ", ".join(said) or "placed", *(["taken"] if r.taken else [])]
    head = f"{'':7}round {r.number}  #{r.session_id}  {r.status}  {_files(r.files)}  "
    return head + " · ".join(parts)


def _pruned(p: Pruned) -> str:
    """``pruned 5 sessions: 2 requests and their repair rounds`` (the count of requests
    only when rounds went with them)."""
    said = f"pruned {p.sessions} session{'s' * (p.sessions != 1)}"
    if p.requests == p.sessions:
        return said
    whose = "its" if p.requests == 1 else "their"
    return f"{said}: {p.requests} request{'s' * (p.requests != 1)} and {whose} repair rounds"


def _line(s: SessionSummary) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.created))
    total = s.total_cost
    cost = f"${total:.4f}" if total is not None else "-"
    said = s.task.strip()
    if s.message is not None and s.message.strip():  # a follow-up: its own message, not the
        said = s.message.strip().split("\n\n")[-1]  # note of what changed before it
    task = said.splitlines()[0] if said else ""
    if s.parent_id is not None:  # the chain: a follow-up or a send-back names its parent
        task = f"↳ #{s.parent_id} {task}"
    if s.batch is not None:  # a task of tome batch: its batch and task id first
        task = f"[{s.batch}] {task}"
    task = safe_name(task if len(task) <= 60 else task[:59] + "…")
    files = _files(s.files)
    return _row(
        (str(s.session_id), when, s.status, files, f"pack {s.tokens:>9,} tok", cost,
         safe_name(s.backend), task)
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    root = find_root(root_of(args) or Path.cwd())
    history = History(root)  # no backend, no key: only the repository's .tome/history.db
    store = history.store
    pruned = None
    if args.prune:
        if args.keep is None and args.older_than is None:
            print("tome: --prune needs --keep N or --older-than DAYS", file=sys.stderr)
            return 2
        if (args.keep is not None and args.keep < 0) or (args.older_than or 0) < 0:
            print("tome: --keep and --older-than take numbers >= 0", file=sys.stderr)
            return 2
        older = None if args.older_than is None else args.older_than * DAY
        pruned = store.prune(keep=args.keep, older_than=older)
    elif args.keep is not None or args.older_than is not None:
        print("tome: --keep and --older-than go with --prune", file=sys.stderr)
        return 2
    sessions = history.requests(limit=args.limit)
    total = store.count() if store.path.exists() else 0
    size = store.size()
    if args.json:
        payload = {
            "database": str(store.path),
            "bytes": size,
            "sessions_total": total,
            "sessions": [{**dataclasses.asdict(s), "total_cost": s.total_cost} for s in sessions],
        }
        if pruned is not None:
            payload["pruned"] = pruned.sessions
            payload["pruned_requests"] = pruned.requests
        print(json.dumps(payload, indent=2))
        return 0
    if pruned is not None:
        print(_pruned(pruned))
    if sessions:
        print(HEADER)
    for s in sessions:
        print(_line(s))
        for r in s.rounds:
            print(_round_line(r))
    listed = sum(max(1, len(s.rounds)) for s in sessions)  # the sessions shown, rounds too
    shown = f"{listed} of {total}" if total > listed else f"{total}"
    print(f"history: {shown} session{'s' * (total != 1)}, {_size(size)} in {safe_name(store.path)}")
    return 0
