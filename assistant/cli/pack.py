"""``tome pack``: turn a repository into one prompt file and print a one-screen summary."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from .. import fsio, remote, repo
from ..display import safe, safe_name
from ..errors import ConfigError, PackError
from ..packing import DEFAULT_ENCODING, Pack, PackOptions, pack
from ..packing.reuse import remember_output, reuse_output
from ._common import (
    add_format,
    add_git_context,
    add_root,
    byte_size,
    git_options,
    root_of,
    token_count,
)
from ._summary import instruction_lines

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from ..workspace import Skipped

_SUFFIX = {"xml": "xml", "markdown": "md"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        default=None,
        help="repository or folder to pack (default: .), or a URL git clone accepts",
    )
    parser.add_argument(
        "--ref",
        metavar="BRANCH|TAG|SHA",
        help="with a URL: what to pack (default: the remote's HEAD; a shallow copy is kept "
        "in tome's cache and fetched again next time)",
    )
    add_root(parser, help="the same as PATH: repository or folder to pack (default: .)")
    parser.add_argument(
        "--budget", type=token_count, help="token budget for the whole pack (e.g. 200k, 1m)"
    )
    parser.add_argument("--encoding", default=None, help=f"tokenizer (default: {DEFAULT_ENCODING})")
    add_format(parser)
    parser.add_argument(
        "--output", "-o", help="where to write the pack ('-' for stdout; default .tome/pack.xml)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON summary object")
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only these files (repeatable)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="also exclude these (repeatable)",
    )
    parser.add_argument("--task", help="what the pack is for (ranks files; placed last)")
    parser.add_argument(
        "--max-file-size",
        type=byte_size,
        default=1_048_576,
        metavar="SIZE",
        help="skip files larger than this (default 1MiB)",
    )
    parser.add_argument(
        "--no-default-excludes",
        action="store_true",
        help="do not skip lock files and generated files",
    )
    parser.add_argument(
        "--allow-secrets",
        action="store_true",
        help="include files that look like they hold secrets",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="do not read or write the token cache"
    )
    add_git_context(parser)


def _where(args: argparse.Namespace) -> str:
    """The folder to pack: ``PATH`` or ``-C/--root`` (one spelling each, not two folders)."""
    root = root_of(args)
    if root is not None and args.path is not None and Path(args.path) != root:
        raise ConfigError(f"give the folder once: PATH {args.path!r} or -C {str(root)!r}")
    return str(root) if root is not None else (args.path or ".")


def run(args: argparse.Namespace) -> int:
    from ..cache import Cache

    where = _where(args)
    if remote.is_remote(where):
        where = str(remote.fetch(where, args.ref))
    elif args.ref is not None:
        raise ConfigError(f"--ref goes with a URL to fetch; {where!r} is a folder packed as it is")
    encoding = args.encoding or os.environ.get("TOME_ENCODING") or DEFAULT_ENCODING
    if args.json and args.output == "-":
        raise ConfigError("--json prints the summary on stdout; give --output FILE for the pack")
    options = PackOptions(
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        max_file_bytes=args.max_file_size,
        allow_secrets=args.allow_secrets,
        default_excludes=() if args.no_default_excludes else None,
        git=git_options(args),
    )
    started = time.perf_counter()
    cache = Cache.disabled() if args.no_cache else Cache()
    request = {
        "budget": args.budget,
        "encoding": encoding,
        "format": args.format,
        "task": args.task,
        "options": options,
        "cache": cache,
    }
    to_stdout = args.output == "-"
    out_path: Path | None = None
    confined: Path | None = None
    if not to_stdout:
        root = _repository_root(where)
        if args.output:
            out_path, confined = _output_target(Path(args.output), root)
        else:
            out_path, confined = _default_output(root, args.format), root
        # the same tree, request and untouched output as last time: the file is up to date
        # (git sections follow HEAD and the index, which the tree's state does not cover)
        reused = None if options.git else reuse_output(where, out_path, **request)
        if reused is not None:
            _report(reused, out_path, time.perf_counter() - started, args.json, unchanged=True)
            return 0
    with _Progress(enabled=sys.stderr.isatty() and not args.json) as progress:
        result = pack(where, progress=progress.update, **request)
    elapsed = time.perf_counter() - started

    if out_path is None:
        result.write(sys.stdout)
        sys.stdout.flush()
        _print_summary(result, None, elapsed, sys.stderr)
        return 0
    # the summary is made while the kernel copies the pack into its file
    said = _write_meanwhile(out_path, result, confined, lambda: _said(result, out_path, args.json))
    remember_output(result, out_path, encoding=encoding, options=options, cache=cache)
    _report(result, out_path, elapsed, args.json, said=said)
    return 0


def _said(result: Pack, out_path: Path, as_json: bool) -> str | None:
    """The ``--json`` summary line; without ``--json``, None (the printer loaded)."""
    if not as_json:
        for module in ("rich.console", "rich.table"):  # loaded now, printed from after
            importlib.import_module(module)
        return None
    summary = result.summary()
    summary["output"] = str(out_path)
    # one write from the C encoder: json.dump encodes in Python and writes each of
    # Django's ~120k pieces apart (1.3 s of a 2 s warm pack, profiled)
    return json.dumps(summary) + "\n"


def _report(
    result: Pack,
    out_path: Path,
    elapsed: float,
    as_json: bool,
    *,
    unchanged: bool = False,
    said: str | None = None,
) -> None:
    """The summary on stdout (``said``: the ``--json`` line, made already)."""
    if as_json:
        sys.stdout.write(said if said is not None else _said(result, out_path, True) or "")
    else:
        _print_summary(result, out_path, elapsed, sys.stdout, unchanged=unchanged)


_T = TypeVar("_T")


def _write_meanwhile(
    path: Path, result: Pack, root: Path | None, meanwhile: Callable[[], _T]
) -> _T:
    """:func:`_write` on a thread of its own while ``meanwhile()`` runs on this one (the
    write is the kernel's work, which lets go of the GIL: 30 MB took 80 ms on Django);
    the write's error, if any, is the one raised."""
    failed: list[BaseException] = []

    def write() -> None:
        try:
            _write(path, result, root=root)
        except BaseException as exc:  # handed to the caller's thread below
            failed.append(exc)

    writer = threading.Thread(target=write, name="tome-pack-write")
    writer.start()
    try:
        value = meanwhile()
    finally:
        writer.join()
        if failed:
            raise failed[0]
    return value


def _repository_root(path: str) -> Path:
    """The top of the git work tree holding ``path``, or ``path`` itself outside git."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        said = "is not a folder" if folder.exists() else "no such folder"
        raise PackError(f"{folder}: {said}; pass the folder to pack")
    return repo.find_root(folder)


def _default_output(root: Path, fmt: str) -> Path:
    """``<root>/.tome/pack.<fmt>``, in a state folder :func:`fsio.state_dir` accepts."""
    folder = _state_dir(root)
    repo.exclude_state_dir(root)
    return folder / f"pack.{_SUFFIX[fmt]}"


def _state_dir(root: Path) -> Path:
    try:
        return fsio.state_dir(root)
    except fsio.FileSystemError as exc:
        raise PackError(
            f"cannot write the pack into {exc.path}: {exc.reason}; or give --output FILE"
        ) from exc


def _output_target(output: Path, root: Path) -> tuple[Path, Path | None]:
    """Where ``--output`` goes, and the repository root to confine it under (None: outside).

    Inside the repository (the path, as spelled, passes through the repository's top) every
    folder and the file itself are the repository's, untrusted: the write walks them without
    following links, so a committed symlink (``out.xml -> ~/.bashrc``) is refused. Outside,
    the path is the user's: a link there is followed to its target, a device or FIFO is
    written in place.
    """
    spelled = Path(os.path.abspath(output.expanduser()))
    top = os.path.realpath(root)
    parts = spelled.parts
    for depth in range(1, len(parts)):
        if os.path.realpath(Path(*parts[:depth])) == top:
            rest = parts[depth:]
            if rest[0] == fsio.STATE_DIR and len(rest) > 1:
                _state_dir(Path(top))
            return Path(top, *rest), Path(top)
    return spelled, None


def _write(path: Path, result: Pack, *, root: Path | None) -> None:
    """Write whole (a reader never sees half a pack), part by part, via :mod:`fsio`: a new
    file beside ``path`` (never one that exists), then a rename; a device or FIFO the user
    names is written in place. With ``root``, nothing below it is followed or written into
    unless it is a real folder or file."""
    try:
        with fsio.open_atomic(path, root=root) as raw:
            result.write_bytes(raw)
    except fsio.FileSystemError as exc:
        raise PackError(f"cannot write the pack to {exc.path}: {exc.reason}") from exc
    except OSError as exc:
        raise PackError(f"cannot write the pack to {path}: {exc.strerror or exc}") from exc


def _print_summary(
    result: Pack, out_path: Path | None, elapsed: float, stream: TextIO, *, unchanged: bool = False
) -> None:
    """The one-screen summary. Names come from the repository: each is escaped
    (:func:`~assistant.display.safe_name`) and given to rich as plain ``Text``, never as
    markup, so a file named ``[red]x[/]`` or holding an ESC prints as it is spelt."""
    from rich.console import Console
    from rich.text import Text

    def line(*parts: str | tuple[str, str]) -> Text:
        return Text.assemble(*parts)

    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False, markup=False)
    tiers = result.tiers
    budget = f" of {result.budget:,} budget" if result.budget else ""
    console.print(
        line(
            (f"Packed {len(result.files):,} files", "bold"),
            f" from {safe_name(result.root)} into ",
            (f"{result.tokens:,} tokens", "bold"),
            f"{budget} ({result.encoding}, {result.format}) in {elapsed:.2f}s",
        )
    )
    if result.budget is not None or tiers["skeleton"]:
        console.print(
            f"  tiers: {tiers['full']:,} full, {tiers['skeleton']:,} skeleton, "
            f"{tiers['omitted']:,} omitted (listed in the tree)"
        )
    for note in _left_out_lines(result):
        console.print(line(f"  {note}"))
    if out_path is not None and unchanged:
        console.print(
            line(
                "  ",
                (safe_name(out_path), "bold"),
                " already holds it (nothing changed; not rewritten)",
            )
        )
    elif out_path is not None:
        console.print(line("  written to ", (safe_name(out_path), "bold")))
    if result.git_tokens:
        git = result.git
        held = [
            "uncommitted diff" if git.diff else "",
            f"{len(git.since_files):,} files changed since {safe(git.since)}" if git.since else "",
            f"{len(git.log):,} commits" if git.log else "",
        ]
        console.print(f"  git: {', '.join(h for h in held if h)} ({result.git_tokens:,} tokens)")
    for note in instruction_lines(result):
        console.print(line(f"  {note}"))
    _print_largest(console, result)
    _print_skipped(console, result)
    if result.redacted:
        files = len({r.path for r in result.redacted})
        console.print(
            line(
                (f"Redacted {len(result.redacted):,} secrets in {files:,} files", "bold"),
                " (each value replaced by a marker, the rest packed; --allow-secrets keeps them):",
            )
        )
        for r in result.redacted:
            console.print(
                line((f"  {safe_name(r.path)}:{r.line}: a {safe(r.kind)} secret", "yellow"))
            )


def _left_out_lines(result: Pack) -> list[str]:
    """For a budgeted pack with a task: what was left out and why, in two lines at most."""
    if not result.task or result.budget is None:
        return []
    out = []
    near = [f for f in result.files if f.tier == "skeleton" and "neighbour of" in f.why]
    if near:
        out.append(f"skeletons: {len(near):,} neighbours of the top files in the reference graph")
    omitted = [f for f in result.files if f.tier == "omitted" and f.why]
    if omitted:
        best = min(omitted, key=lambda f: _rank_of(f.why))
        out.append(
            f"left out: {len(omitted):,} files over the budget, the best ranked "
            f"{safe_name(best.path)} ({best.why.split(';')[0]}); --json lists each with why"
        )
    return out


def _rank_of(why: str) -> int:
    words = why.split()
    return int(words[1].replace(",", "")) if len(words) > 1 and words[1][:1].isdigit() else 0


class _Progress:
    """A rich progress bar on stderr that appears only when work lasts over a second."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._progress is None:
            if time.monotonic() - self.started < 1.0:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as RichProgress

            self._progress = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(stage, total=total)
        assert self._progress is not None and self._task is not None
        self._progress.update(self._task, description=stage, completed=done, total=total)


def _print_largest(console: Console, result: Pack) -> None:
    """The ten files that take the most of the pack: the tokens each shows (a skeleton's,
    not its whole file's; omitted files show none) and their share of the pack."""
    from rich.table import Table
    from rich.text import Text

    shown = [f for f in result.files if f.shown_tokens > 0]
    top = sorted(shown, key=lambda f: (-f.shown_tokens, f.path))[:10]
    if top:
        table = Table(title="Largest files", title_justify="left", box=None, pad_edge=False)
        table.add_column("tokens", justify="right")
        table.add_column("share", justify="right")
        table.add_column("path")
        table.add_column("tier")
        total = result.tokens or 1
        for f in top:
            share = f"{100 * f.shown_tokens / total:.1f}%"
            tier = f.tier if f.tier == "full" else f"{f.tier} (file: {f.tokens:,})"
            table.add_row(f"{f.shown_tokens:,}", share, Text(safe_name(f.path)), tier)
        console.print(table)


_LISTED = ("default-exclude", "minified", "data-dump")
"""Reasons whose files are listed one by one, each with its detail (the rule that left it
out and how to pack it); the other reasons show a sample of paths."""
_LIST_AT_MOST = 10


def _print_skipped(console: Console, result: Pack) -> None:
    """What was left out, by reason, and what to do about the files that need a word.

    Each file is named once: secrets and generated files (:data:`_LISTED`) one per line with
    why, the rest as a sample after their count (``--json`` lists every file).
    """
    from rich.text import Text

    def line(*parts: str | tuple[str, str]) -> Text:
        return Text.assemble(*parts)

    if not result.skipped:
        return
    console.print(line((f"Skipped {len(result.skipped):,} files:", "bold")))
    by_reason: dict[str, list[Skipped]] = {}
    for s in result.skipped:
        by_reason.setdefault(s.reason, []).append(s)
    for reason, skips in sorted(by_reason.items()):
        if reason.startswith("secret"):
            console.print(line(f"  {reason}: {len(skips):,}"))
            for s in skips:
                console.print(
                    line(
                        ("    " + safe_name(s.path) + ": " + safe(s.detail), "yellow"),
                        " (--allow-secrets to include)",
                    )
                )
        elif reason in _LISTED:
            console.print(line(f"  {reason}: {len(skips):,}"))
            for s in skips[:_LIST_AT_MOST]:
                console.print(line(f"    {safe_name(s.path)}: {safe(s.detail)}"))
            if len(skips) > _LIST_AT_MOST:
                more = len(skips) - _LIST_AT_MOST
                console.print(line(f"    ... and {more:,} more (--json lists every file)"))
        else:
            paths = [safe_name(s.path) for s in skips]
            sample = ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "")
            console.print(line(f"  {reason}: {len(paths):,} ({sample})"))
    for s in result.skipped:
        if s.reason in ("bad-name", "unreadable"):  # each says what to do about it
            console.print(line(f"  {safe_name(s.path)}: {safe(s.detail)}"))
