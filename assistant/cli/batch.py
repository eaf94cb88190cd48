"""``tome batch TASKS``: many tasks at once, each a session of its own.

TASKS is a JSONL file (or ``-`` for stdin): one task a line, ``{"id", "task", "paths",
"repo"}`` (only ``task`` needed) or plain text. Every line is checked before anything is
sent (:mod:`assistant.batch.tasks`: the file is untrusted). Tasks over one repository share
one pack, packed once: every request starts with the same bytes (the shared prefix, whose
tokens are reported). Nothing is applied to the working tree unless
``--apply-to-branches``: each changeset is committed to ``tome/<batch>/<id>`` from a git
worktree of its own.

``--via direct`` (default): ``--concurrency N`` requests at once (default: the backend's
``concurrency``), one rate limit for all (a 429 pauses every request and halves how many
run at once); progress on stderr when it is a terminal, a table at the end. Ctrl-C keeps
the finished sessions; the same command again resumes (finished tasks are not sent again).
``--via openai-batch``: the requests as Batch API JSONL, uploaded, a batch created; its id
printed (``--wait`` polls and imports; later ``--status ID``, ``--collect ID``), priced at
the backend's ``batch_price``. ``--via jsonl --output FILE``: the same JSONL for
``vllm run-batch -i FILE -o OUT``; ``--import OUT`` records its answers.

``--json``: one line per task on stdout (``id``, ``session_id``, ``status``, ``usage``).
Exit status: 0 every task answered (or queued), 1 some failed, 2 a usage error, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import load_settings
from ..display import safe
from ..errors import AssistantError, ConfigError
from ._common import add_format, add_root, root_of, token_count, whole_number

if TYPE_CHECKING:
    from ..batch import Batch, Outcome
    from ..model import Backend

VIAS = ("direct", "openai-batch", "jsonl")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tasks", nargs="?", metavar="TASKS", help="JSONL file of tasks, or -")
    parser.add_argument("--via", choices=VIAS, default="direct", help="how to send (direct)")
    parser.add_argument(
        "--concurrency", type=whole_number("a number of requests", "8"), metavar="N",
        help="requests at once with --via direct (default: the backend's)",
    )  # fmt: skip
    parser.add_argument("--output", metavar="FILE", help="with --via jsonl: where to write")
    parser.add_argument("--name", metavar="ID", help="the batch id (default: from the tasks)")
    parser.add_argument("--wait", action="store_true", help="with openai-batch: poll, import")
    parser.add_argument("--status", metavar="ID", help="show the state of a submitted batch")
    parser.add_argument("--collect", metavar="ID", help="poll a submitted batch and import it")
    parser.add_argument("--import", dest="import_", metavar="OUT", help="import run-batch output")
    parser.add_argument(
        "--poll", type=float, default=30.0, metavar="S", help="seconds between polls"
    )
    parser.add_argument(
        "--apply-to-branches", action="store_true",
        help="commit each changeset to tome/<batch>/<id> (never the current branch)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-config-edits", action="store_true",
        help="with --apply-to-branches: also commit edits of tome's config or CI workflows",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="one JSON line per task on stdout")
    parser.add_argument("--backend", help="a backend from 'tome models' (default from config)")
    parser.add_argument("--base-url", help="any OpenAI-compatible endpoint")
    parser.add_argument("--model", help="the model id to ask for")
    parser.add_argument("--api-key-env", help="the environment variable holding the key")
    parser.add_argument("--max-output", type=token_count, help="output tokens per request")
    add_format(parser)
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    if refusal := _refused(args):
        print(f"tome: {refusal}", file=sys.stderr)
        return 2
    base = (root_of(args) or Path(".")).resolve()
    settings = load_settings(project=base, overrides={"max_output": args.max_output})
    from ..model import resolve_backend

    backend = resolve_backend(settings, name=args.backend, base_url=args.base_url,
                              model=args.model, api_key_env=args.api_key_env)  # fmt: skip
    if args.status or args.collect:
        return _remote(args, base, backend, settings)
    if args.import_:
        return _import(args, base, backend, settings)
    text = _read_tasks(args.tasks)
    batch = _open(args, base, backend, settings, text, args.tasks)
    if args.via == "jsonl":
        return _jsonl(args, batch)
    backend.require_key()
    if args.via == "openai-batch":
        return _submit(args, batch, backend)
    return _direct(args, batch, backend)


def _refused(args: argparse.Namespace) -> str | None:
    modes = [bool(args.tasks), bool(args.status), bool(args.collect), bool(args.import_)]
    if sum(modes) != 1:
        return (
            "give TASKS (a file, or - for stdin), or one of --status ID, --collect ID, --import OUT"
        )
    if args.via == "jsonl" and args.tasks and not args.output:
        return "--via jsonl writes a file: give --output FILE"
    if args.output and args.via != "jsonl":
        return "--output goes with --via jsonl"
    if args.wait and args.via != "openai-batch":
        return "--wait goes with --via openai-batch (--via direct waits anyway)"
    if args.concurrency is not None and args.concurrency < 1:
        return "--concurrency must be 1 or more"
    if args.poll <= 0:
        return "--poll must be a positive number of seconds"
    return None


def _read_tasks(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the tasks file {name}: {exc}") from exc


def _open(args, base, backend, settings, text, source) -> Batch:  # type: ignore[no-untyped-def]
    from ..batch import Batch, batch_id, parse_tasks, safe_id
    from ..session import Assistant

    tasks = parse_tasks(text, base=base, source=source)
    name = safe_id(args.name) if args.name else batch_id(tasks, backend.name)
    if args.name and not name:
        raise ConfigError(f"--name {args.name!r} has no letters or digits to name a branch with")

    def opener(folder: Path) -> Assistant:
        return Assistant.open(folder, backend=backend, settings=settings, format=args.format)

    return Batch.open(name, tasks, base, opener)


def _stored(args, base, backend, settings, ident: str) -> Batch:  # type: ignore[no-untyped-def]
    from ..batch.run import stored_tasks
    from ..history import History

    row = History(base).store.batch(ident)
    if row is None:
        raise ConfigError(f"no batch {ident!r} in the history of {base} (tome history)")
    folder, text = stored_tasks(row)
    args.name = row["id"]
    return _open(args, folder, backend, settings, text, f"batch {row['id']}")


# -- direct ---------------------------------------------------------------------------------


def _direct(args: argparse.Namespace, batch: Batch, backend: Backend) -> int:
    concurrency = args.concurrency or backend.concurrency
    shared = batch.pack()
    batch.save("direct")
    _say_prefix(batch, shared)
    progress = _Progress(len(batch.tasks), tty=sys.stderr.isatty())
    cancel = threading.Event()
    print(f"tome: batch {batch.id}: {len(batch.tasks)} tasks, {concurrency} at once",
          file=sys.stderr)  # fmt: skip
    try:
        outcomes = batch.run_direct(concurrency=concurrency, cancel=cancel, on_done=progress.add)
    except KeyboardInterrupt:
        progress.end()
        kept = sum(1 for o in progress.outcomes if o.status in ("answered", "truncated", "resumed"))
        print(f"tome: interrupted: {kept} finished sessions kept; run the same command again "
              "to resume", file=sys.stderr)  # fmt: skip
        return 130
    progress.end()
    return _finish(args, batch, outcomes)


class _Progress:
    """Tasks done, tokens, cost and cache hits on one line of stderr (a terminal only)."""

    def __init__(self, total: int, *, tty: bool) -> None:
        self.total, self.tty = total, tty
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)
            if self.tty:
                print(f"\r\x1b[2Ktome: {_totals(self.outcomes, self.total)}", end="",
                      file=sys.stderr, flush=True)  # fmt: skip

    def end(self) -> None:
        if self.tty and self.outcomes:
            print(file=sys.stderr)


def _totals(outcomes: Sequence[Outcome], total: int) -> str:
    done = sum(1 for o in outcomes if o.status in ("answered", "truncated", "resumed"))
    failed = sum(1 for o in outcomes if o.status == "failed")
    prompt = sum(o.usage.prompt_tokens for o in outcomes if o.usage)
    out = sum(o.usage.completion_tokens for o in outcomes if o.usage)
    hits = sum(o.usage.cache_hit_tokens for o in outcomes if o.usage)
    costs = [o.cost for o in outcomes if o.cost is not None]
    cached = f"{100 * hits / prompt:.0f}% cache hits" if prompt else "no cache hits yet"
    money = f", ${sum(costs):.4f}" if costs else ""
    fails = f", {failed} failed" if failed else ""
    return f"{done}/{total} done{fails}; {prompt:,} tokens in ({cached}), {out:,} out{money}"


def _say_prefix(batch: Batch, shared: Sequence[object]) -> None:
    from ..batch import Shared

    for s in shared:
        assert isinstance(s, Shared)
        where = s.assistant.scope or s.assistant.root.name
        kind = (
            "whole"
            if s.whole
            else f"cut to fit; {s.task_budget:,} tokens per task for its own files"
        )
        print(f"tome: {where}: shared prefix {s.prefix_tokens:,} tokens ({kind}), packed once "
              f"in {batch.pack_seconds:.2f} s", file=sys.stderr)  # fmt: skip


def _finish(args: argparse.Namespace, batch: Batch, outcomes: list[Outcome]) -> int:
    if args.apply_to_branches:
        _branches(args, batch, outcomes)
    if args.json:
        for o in outcomes:
            print(json.dumps(o.as_json()), flush=True)
    _table(outcomes)
    print(f"tome: {_totals(outcomes, len(batch.tasks))}", file=sys.stderr)
    print(f"tome: review one with 'tome review --session ID'; 'tome history' lists batch {batch.id}",
          file=sys.stderr)  # fmt: skip
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def _table(outcomes: Sequence[Outcome]) -> None:
    rows = [("task", "status", "session", "in", "out", "cached", "cost", "edits")]
    for o in outcomes:
        u = o.usage
        rows.append((
            o.task.id[:24], o.status, str(o.session_id or "-"),
            f"{u.prompt_tokens:,}" if u else "-", f"{u.completion_tokens:,}" if u else "-",
            f"{u.cache_hit_tokens:,}" if u else "-",
            f"${o.cost:.4f}" if o.cost is not None else "-", str(o.edits),
        ))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip(), file=sys.stderr
        )
    for o in outcomes:
        if o.error or o.branch:
            print(f"tome: {o.task.id}: {safe(o.error or '')}{o.branch or ''}", file=sys.stderr)


def _branches(args: argparse.Namespace, batch: Batch, outcomes: list[Outcome]) -> None:
    from ..batch import apply_to_branch

    histories = {t.id: g.assistant.sessions for g in batch.groups for t in g.tasks}
    for o in outcomes:
        if o.session_id is None or o.status not in ("answered", "resumed"):
            continue
        try:
            o.branch = apply_to_branch(histories[o.task.id], o.session_id, batch=batch.id,
                                       task=o.task.id, allow_config_edits=args.allow_config_edits)  # fmt: skip
            o.error = None
            o.branch = f"committed to {o.branch}"
        except AssistantError as exc:
            o.error = f"not applied: {exc}"


# -- offline --------------------------------------------------------------------------------


def _write_jsonl(batch: Batch, target: Path) -> list[Outcome]:
    """The requests as JSONL at ``target``, written whole or not at all."""
    target = target.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tome-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            outcomes = batch.queue(out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return outcomes


def _jsonl(args: argparse.Namespace, batch: Batch) -> int:
    batch.save("jsonl")
    outcomes = _write_jsonl(batch, Path(args.output))
    queued = sum(1 for o in outcomes if o.status == "queued")
    model = batch.backend.model
    print(f"tome: batch {batch.id}: {queued} requests written to {args.output}; run\n"
          f"  vllm run-batch -i {args.output} -o OUT.jsonl --model {model}\n"
          "then: tome batch --import OUT.jsonl", file=sys.stderr)  # fmt: skip
    if args.json:
        for o in outcomes:
            print(json.dumps(o.as_json()))
    return 0


def _submit(args: argparse.Namespace, batch: Batch, backend: Backend) -> int:
    from ..model.batchapi import BatchAPI

    if backend.batch_price is None:
        print(f"tome: warning: backend {backend.name!r} has no batch_price: costs are shown at "
              "its normal prices", file=sys.stderr)  # fmt: skip
    batch.save("openai-batch")
    folder = Path(tempfile.mkdtemp(prefix="tome-batch-"))
    try:
        path = folder / f"{batch.id}.jsonl"
        outcomes = _write_jsonl(batch, path)
        if not any(o.status == "queued" for o in outcomes):
            print(f"tome: batch {batch.id}: every task is answered already", file=sys.stderr)
            return _finish(args, batch, outcomes)
        remote = BatchAPI(backend).submit(path, metadata={"tome_batch": batch.id})
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    batch.save("openai-batch", remote=remote.id)
    print(remote.id)
    print(f"tome: batch {batch.id} submitted as {remote.id}; 'tome batch --status {remote.id}', "
          f"'tome batch --collect {remote.id}'", file=sys.stderr)  # fmt: skip
    if not args.wait:
        return 0
    return _collect(args, batch, backend, remote.id)


def _remote(args, base, backend, settings) -> int:  # type: ignore[no-untyped-def]
    from ..model.batchapi import BatchAPI

    ident = args.status or args.collect
    batch = _stored(args, base, backend, settings, ident)
    row = batch.groups[0].assistant.store.batch(batch.id) or {}
    remote = row.get("remote")
    if not remote:
        raise ConfigError(
            f"batch {batch.id} was not submitted to a Batch API (via {row.get('via')})"
        )
    if args.status:
        state = BatchAPI(backend).status(remote)
        print(f"{batch.id} {state}")
        return 0
    return _collect(args, batch, backend, remote)


def _collect(args: argparse.Namespace, batch: Batch, backend: Backend, remote: str) -> int:
    from ..model.batchapi import BatchAPI

    api = BatchAPI(backend)
    state = api.wait(remote, every=args.poll,
                     seen=lambda s: print(f"tome: {s}", file=sys.stderr))  # fmt: skip
    lines: list[str] = []
    for file_id in (state.output_file_id, state.error_file_id):
        if file_id:
            lines += api.output(file_id)
    outcomes = batch.import_lines(lines, batch_rate=True)
    if state.status != "completed":
        print(f"tome: batch {remote} ended {state.status}", file=sys.stderr)
    return _finish(args, batch, outcomes)


def _import(args, base, backend, settings) -> int:  # type: ignore[no-untyped-def]
    from ..batch.run import output_batch

    try:
        lines = Path(args.import_).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {args.import_}: {exc}") from exc
    ident = output_batch(lines)
    if ident is None:
        raise ConfigError(f"{args.import_} is not the output of a tome batch (its custom_id "
                          "values are <batch>:<task>)")  # fmt: skip
    batch = _stored(args, base, backend, settings, ident)
    return _finish(args, batch, batch.import_lines(lines, batch_rate=False))
