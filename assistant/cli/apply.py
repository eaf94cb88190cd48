"""``tome apply PATCH|-``: apply an edit in any supported format to the working tree.

Every hunk is located first; if any fails, nothing is written and each failing hunk is
reported (exit 1). An edit to a file that steers later runs (:mod:`assistant.edits.guard`:
``.tome.toml``, ``.tomeignore``, ``[tool.tome]``, ``.github/workflows/``) refuses the whole
patch unless ``--allow-config-edits`` is given. ``--check`` stops after validating. The write is one journaled
transaction that ``tome undo`` reverts byte for byte.

A hunk placed by a tolerance rather than an exact match (trailing whitespace, indentation,
its line number among repeats, ...) is listed under its file, ``~ hunk 2 at line 31:
trailing whitespace ignored``; in ``--json`` every hunk has ``tolerated``, those phrases
(an empty list when it matched exactly), and the report's ``tolerated`` counts such hunks.

A hunk's ``state`` in ``--json`` has one meaning whatever the other hunks did: ``accepted``
(it places, and the apply takes it), ``applied`` (it was written), ``failed`` (it cannot
be placed; ``failure`` says why, with the closest region and, in ``difference``, the first
line and column where that region differs). Since the apply is all or none, ``ok: false``
means nothing was written, accepted hunks included. Input with no edit in it is refused as
``tome review`` refuses it (:meth:`assistant.review.Review.require_edits`).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..display import safe
from ..edits import Changeset, EditParseError, HunkFailure, file_config_edit
from ..edits.parse import decode_patch
from ..errors import EditError
from ..repo import find_root
from ..review import Review
from ._common import add_root, root_of
from ._summary import file_lines, tolerated_count, tolerated_note


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patch", metavar="PATCH", help="file holding the edit, or '-' for stdin")
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON report")
    parser.add_argument(
        "--allow-config-edits",
        action="store_true",
        help="also apply edits to .tome.toml, .tomeignore, [tool.tome] in pyproject.toml or "
        ".github/workflows/ (refused otherwise: they steer every later run)",
    )
    add_root(parser)


def _read(source: str) -> str:
    if source == "-":
        raw = getattr(sys.stdin, "buffer", None)  # None: a text stream, decoded already
        return decode_patch(raw.read(), "standard input") if raw else sys.stdin.read()
    return decode_patch(Path(source).read_bytes(), source)


def _failure_json(f: HunkFailure) -> dict[str, Any]:
    out: dict[str, Any] = {"path": f.path, "hunk": f.hunk, "kind": f.kind, "detail": f.detail}
    if f.closest is not None:
        c = f.closest
        out["closest"] = {"start": c.start, "end": c.end, "similarity": c.similarity}
        if (d := f.difference) is not None:
            out["difference"] = {"hunk_line": d.hunk_line, "file_line": d.file_line,
                                 "column": d.column + 1, "wrote": d.wrote, "has": d.has}  # fmt: skip
    if f.candidates:
        out["candidates"] = list(f.candidates)
    return out


def _report(cs: Changeset) -> list[dict[str, Any]]:
    files = []
    for f in cs:
        hunks = []
        for h in f.hunks:
            entry: dict[str, Any] = {
                "index": h.index,
                "state": str(h.state),
                "tolerated": list(h.tolerated),  # empty: matched exactly (or failed)
            }
            if h.failure is None:
                entry.update(start=h.old_start, added=h.added, removed=h.removed)
            else:
                entry["failure"] = _failure_json(h.failure)
            hunks.append(entry)
        item: dict[str, Any] = {"path": f.path, "action": f.action, "hunks": hunks}
        if f.move_to:
            item["move_to"] = f.move_to
        if f.failure is not None:
            item["failure"] = _failure_json(f.failure)
        files.append(item)
    return files


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: list[str], *, err: bool) -> None:
    """The JSON report (``json`` escapes every control character itself), or the text
    report with what came from the edit (paths, hunks, messages) escaped for the terminal."""
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        print(safe("\n".join(text)), file=sys.stderr if err else sys.stdout)


def run(args: argparse.Namespace) -> int:
    root = find_root(root_of(args) or Path.cwd())
    outcome = apply_patch(
        root, _read(args.patch), check=args.check, allow_config_edits=args.allow_config_edits
    )
    _emit(args, outcome.payload, outcome.lines, err=not outcome.ok)
    return 0 if outcome.ok else 1


@dataclass(frozen=True)
class Outcome:
    """What :func:`apply_patch` did: ``ok`` (applied, or would apply with ``check``), the
    ``--json`` report and the lines for a person (unescaped: from the edit)."""

    ok: bool
    payload: dict[str, Any]
    lines: list[str]


def apply_patch(root: Path, text: str, *, check: bool, allow_config_edits: bool) -> Outcome:
    """``tome apply`` on the edit ``text`` (untrusted: any format) at ``root``: every hunk
    located first, all or none, config edits refused unless allowed, one journaled write
    that ``tome undo`` reverts. Also the MCP server's ``apply_edits``."""
    try:
        review = Review.from_patch(root, text)
        review.require_edits()  # the check 'tome review' makes too
    except EditError as exc:
        refused: dict[str, Any] = {"ok": False, "error": str(exc)}
        if isinstance(exc, EditParseError):
            refused["problems"] = [p.message for p in exc.problems]
        return Outcome(False, refused, [f"tome: error: {exc}"])
    cs = review.changeset
    cs.accept_all()  # every hunk that places is taken (all or none): 'accepted' in --json
    problems = review.problems
    failures = cs.failures
    payload: dict[str, Any] = {"ok": False, "check": check, "problems": problems,
                               "files": _report(cs), "tolerated": tolerated_count(cs)}  # fmt: skip
    if problems or failures:
        text_lines = [f"tome: cannot read the edit: {p}" for p in problems]
        if failures:
            text_lines.append(
                f"tome: {len(failures)} hunk(s) cannot be applied; nothing was written"
            )
            text_lines.extend(f.describe() for f in failures)
        return Outcome(False, payload, text_lines)
    flagged = [r for f in cs if (r := file_config_edit(f))]
    payload["config_edits"] = flagged
    if flagged and not allow_config_edits:
        text_lines = ["tome: the edit changes files that steer later runs (config, CI):"]
        text_lines += [f"  ! {reason}" for reason in flagged]
        text_lines.append(
            "tome: nothing was written (all or none); read them, then rerun with "
            "--allow-config-edits, or review the patch: tome review PATCH"
        )
        payload["error"] = "config edits need --allow-config-edits"
        return Outcome(False, payload, text_lines)
    try:
        done = review.apply(check=check)
    except EditError as exc:
        payload["error"] = str(exc)
        return Outcome(False, payload, [f"tome: error: {exc}", "nothing was written"])
    if not check:
        cs.mark_applied()  # accepted hunks that change nothing are applied too
    payload.update(ok=True, files=_report(cs), journal=done.journal, merged=list(done.merged))
    verb = "would change" if check else "changed"
    text_lines = file_lines(cs)
    n = len(cs)
    text_lines.append(
        f"{verb} {n} file{'s' * (n != 1)}" + ("" if check else "; 'tome undo' reverts")
    )
    if note := tolerated_note(cs):
        text_lines.append(note)
    return Outcome(True, payload, text_lines)
